using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// What TCP needs from the layer below: a way to put one segment on the wire. The network layer wraps it in
/// IPv4 and Ethernet, computes the checksum and transmits (or holds it while ARP resolves).
/// </summary>
internal interface ITcpOutput
{
    /// <summary>
    /// Sends one segment whose payload is <paramref name="payload1"/> followed by <paramref name="payload2"/>
    /// (two spans because send buffers are rings).
    /// </summary>
    /// <returns>False when it could not be sent (no free frame, no route); TCP treats that like a loss.</returns>
    bool SendSegment(Ipv4Address source, Ipv4Address destination, in TcpRepr header, ReadOnlySpan<byte> payload1, ReadOnlySpan<byte> payload2);

    /// <summary>The largest TCP payload a segment to <paramref name="destination"/> can carry (MTU - 40).</summary>
    int MaxSegmentSize(Ipv4Address destination);
}

using System.Buffers;
using Junction.Devices;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// What TCP needs from the layer below: the pool send buffers keep payload in, and a way to put one segment on the
/// wire. The network layer wraps it in IPv4 and Ethernet, computes the checksum and transmits (or holds it while ARP
/// resolves).
/// </summary>
internal interface ITcpOutput
{
    /// <summary>The frames send buffers keep unacknowledged payload in (the device's pool, so segments can leave from them).</summary>
    FramePool FramePool { get; }

    /// <summary>
    /// Sends one segment whose payload is <paramref name="payload1"/> followed by <paramref name="payload2"/>, copied
    /// (control segments carry none).
    /// </summary>
    /// <returns>False when it could not be sent (no free frame, no route); TCP treats that like a loss.</returns>
    bool SendSegment(Ipv4Address source, Ipv4Address destination, in TcpRepr header, ReadOnlySpan<byte> payload1, ReadOnlySpan<byte> payload2);

    /// <summary>
    /// Sends one segment carrying bytes [<paramref name="offset"/>, offset+<paramref name="length"/>) of
    /// <paramref name="data"/>: from the frame they lie in when <see cref="TcpSendBuffer.TryGetFrameInPlace"/> allows,
    /// else copied. This default copies (outputs that are not a device, such as test links).
    /// </summary>
    TcpSendOutcome SendSegment(Ipv4Address source, Ipv4Address destination, in TcpRepr header, TcpSendBuffer data, int offset, int length)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> payload = scratch.AsSpan(0, length);
            data.CopyTo(offset, payload);
            return SendSegment(source, destination, header, payload, default) ? TcpSendOutcome.Copied : TcpSendOutcome.Failed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>The largest TCP payload a segment to <paramref name="destination"/> can carry (MTU - 40).</summary>
    int MaxSegmentSize(Ipv4Address destination);
}

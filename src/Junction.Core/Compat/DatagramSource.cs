using System.Net;

namespace Junction.Compat;

/// <summary>
/// The sender of one datagram the host put in a UDP socket's pair, with the datagram's length and a hash of its
/// start: a program that reads some datagrams without asking who sent them (recv, read) leaves their entries behind,
/// and the next recvfrom skips entries until one matches the datagram it gets.
/// </summary>
internal readonly record struct DatagramSource(IPEndPoint From, int Length, ulong Hash)
{
    public static ulong HashOf(ReadOnlySpan<byte> datagram)
    {
        // FNV-1a over the first 64 bytes: enough to tell queued datagrams apart, cheap on every datagram.
        ulong hash = 14695981039346656037UL;
        foreach (byte b in datagram[..Math.Min(datagram.Length, 64)]) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }
}

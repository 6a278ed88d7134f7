using System.Buffers.Binary;
using System.Net;
using Junction.Interop;

namespace Junction.Compat;

/// <summary>
/// struct sockaddr_in / sockaddr_in6 in a program's memory, both ways. Junction's stack speaks IPv4, so an AF_INET6
/// socket carries IPv4-mapped addresses (<c>::ffff:a.b.c.d</c>, <c>::</c> for any), as a dual-stack Linux socket does.
/// </summary>
internal static class SocketAddressCodec
{
    public const int Inet4Size = 16;
    public const int Inet6Size = 28;
    public const int MaxSize = 128;

    /// <summary>What a sockaddr said.</summary>
    public enum Kind
    {
        /// <summary>An IPv4 address (plain or mapped).</summary>
        Ipv4,

        /// <summary>A real IPv6 address, which the stack cannot reach.</summary>
        Ipv6Only,
    }

    /// <summary>Reads a sockaddr of a <paramref name="socketFamily"/> socket; returns 0 or the errno a kernel would.</summary>
    public static int Parse(ReadOnlySpan<byte> raw, int socketFamily, out IPEndPoint endPoint, out Kind kind)
    {
        endPoint = new IPEndPoint(IPAddress.Any, 0);
        kind = Kind.Ipv4;
        if (raw.Length < 2) return Errno.EINVAL;
        int family = BinaryPrimitives.ReadUInt16LittleEndian(raw);
        if (family != socketFamily) return Errno.EAFNOSUPPORT;
        if (family == Libc.AF_INET)
        {
            if (raw.Length < Inet4Size) return Errno.EINVAL;
            int port = BinaryPrimitives.ReadUInt16BigEndian(raw[2..]);
            endPoint = new IPEndPoint(new IPAddress(raw.Slice(4, 4)), port);
            return 0;
        }
        if (raw.Length < 24) return Errno.EINVAL;
        int port6 = BinaryPrimitives.ReadUInt16BigEndian(raw[2..]);
        ReadOnlySpan<byte> address = raw.Slice(8, 16);
        bool zeroPrefix = !address[..10].ContainsAnyExcept((byte)0);
        if (zeroPrefix && address[10] == 0xff && address[11] == 0xff)
        {
            endPoint = new IPEndPoint(new IPAddress(address[12..]), port6);
            return 0;
        }
        if (!address.ContainsAnyExcept((byte)0))
        {
            endPoint = new IPEndPoint(IPAddress.Any, port6);
            return 0;
        }
        kind = Kind.Ipv6Only;
        endPoint = new IPEndPoint(new IPAddress(address), port6);
        return 0;
    }

    /// <summary>Writes <paramref name="endPoint"/> (IPv4) as a sockaddr of <paramref name="family"/>; returns its size.</summary>
    public static int Format(IPEndPoint endPoint, int family, Span<byte> into)
    {
        Span<byte> v4 = stackalloc byte[4];
        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        if (!address.TryWriteBytes(v4, out int written) || written != 4) v4.Clear();
        if (family == Libc.AF_INET6)
        {
            into[..Inet6Size].Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(into, (ushort)Libc.AF_INET6);
            BinaryPrimitives.WriteUInt16BigEndian(into[2..], (ushort)endPoint.Port);
            bool any = !v4.ContainsAnyExcept((byte)0);
            if (!any)
            {
                into[18] = 0xff;
                into[19] = 0xff;
                v4.CopyTo(into[20..]);
            }
            return Inet6Size;
        }
        into[..Inet4Size].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(into, (ushort)Libc.AF_INET);
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], (ushort)endPoint.Port);
        v4.CopyTo(into[4..]);
        return Inet4Size;
    }
}

using System.Buffers.Binary;

namespace Junction.Wire;

/// <summary>The UDP header (RFC 768).</summary>
internal static class UdpPacket
{
    /// <summary>Length of the header.</summary>
    public const int HeaderLength = 8;

    /// <summary>
    /// Reads a datagram (the whole IP payload). The payload is <c>datagram[8..(8 + repr.PayloadLength)]</c>.
    /// A zero checksum field means the sender did not compute one, and is accepted.
    /// </summary>
    /// <returns>
    /// <see cref="WireError.Truncated"/> under 8 bytes; <see cref="WireError.BadLength"/> if the length field is below 8
    /// or larger than <paramref name="datagram"/>; <see cref="WireError.BadChecksum"/>.
    /// </returns>
    public static WireError TryParse(ReadOnlySpan<byte> datagram, Ipv4Address source, Ipv4Address destination,
        bool verifyChecksum, out UdpRepr repr)
    {
        repr = default;
        if (datagram.Length < HeaderLength) return WireError.Truncated;
        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[4..]);
        if (length < HeaderLength || length > datagram.Length) return WireError.BadLength;
        if (verifyChecksum && BinaryPrimitives.ReadUInt16BigEndian(datagram[6..]) != 0)
        {
            uint sum = Checksum.PseudoHeader(source, destination, IpProtocol.Udp, length);
            if (Checksum.Finish(Checksum.Accumulate(datagram[..length], sum)) != 0) return WireError.BadChecksum;
        }
        repr.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        repr.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        repr.PayloadLength = length - HeaderLength;
        return WireError.None;
    }

    /// <summary>Writes the 8-byte header with length <c>8 + PayloadLength</c> and checksum 0 (see <see cref="FillChecksum"/>).</summary>
    public static void Emit(in UdpRepr repr, Span<byte> header)
    {
        BinaryPrimitives.WriteUInt16BigEndian(header, repr.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], repr.DestinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)(HeaderLength + repr.PayloadLength));
        header[6] = 0;
        header[7] = 0;
    }

    /// <summary>
    /// Computes the checksum over the whole <paramref name="datagram"/> (header and payload) and the pseudo-header.
    /// A computed 0 is sent as 0xFFFF, since 0 on the wire means "no checksum".
    /// </summary>
    public static void FillChecksum(Span<byte> datagram, Ipv4Address source, Ipv4Address destination)
    {
        datagram[6] = 0;
        datagram[7] = 0;
        uint sum = Checksum.PseudoHeader(source, destination, IpProtocol.Udp, datagram.Length);
        ushort checksum = Checksum.Finish(Checksum.Accumulate(datagram, sum));
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
    }
}

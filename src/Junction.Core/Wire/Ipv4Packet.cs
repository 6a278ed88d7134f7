using System.Buffers.Binary;

namespace Junction.Wire;

/// <summary>The IPv4 header (RFC 791).</summary>
internal static class Ipv4Packet
{
    /// <summary>Length of a header without options.</summary>
    public const int MinHeaderLength = 20;

    private const ushort DontFragmentBit = 0x4000;
    private const ushort MoreFragmentsBit = 0x2000;
    private const ushort FragmentOffsetMask = 0x1FFF;

    /// <summary>
    /// Reads an IPv4 header. Options are skipped. The payload is <c>packet[headerLength..(headerLength + repr.PayloadLength)]</c>:
    /// bytes past the total length (Ethernet padding) are not part of it.
    /// </summary>
    /// <returns>
    /// <see cref="WireError.Truncated"/> if the buffer ends before the header or the total length;
    /// <see cref="WireError.BadVersion"/>; <see cref="WireError.BadHeaderLength"/> if IHL &lt; 5;
    /// <see cref="WireError.BadLength"/> if the total length is shorter than the header;
    /// <see cref="WireError.BadChecksum"/>; <see cref="WireError.Fragmented"/> for any fragment.
    /// </returns>
    public static WireError TryParse(ReadOnlySpan<byte> packet, bool verifyChecksum, out Ipv4Repr repr, out int headerLength)
    {
        repr = default;
        headerLength = 0;
        if (packet.Length < MinHeaderLength) return WireError.Truncated;
        if (packet[0] >> 4 != 4) return WireError.BadVersion;
        int ihl = (packet[0] & 0xF) * 4;
        if (ihl < MinHeaderLength) return WireError.BadHeaderLength;
        if (ihl > packet.Length) return WireError.Truncated;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (totalLength < ihl) return WireError.BadLength;
        if (totalLength > packet.Length) return WireError.Truncated;
        if (verifyChecksum && Checksum.Compute(packet[..ihl]) != 0) return WireError.BadChecksum;
        ushort flagsAndOffset = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        if ((flagsAndOffset & (MoreFragmentsBit | FragmentOffsetMask)) != 0) return WireError.Fragmented;

        repr.Tos = packet[1];
        repr.PayloadLength = totalLength - ihl;
        repr.Identification = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        repr.DontFragment = (flagsAndOffset & DontFragmentBit) != 0;
        repr.Ttl = packet[8];
        repr.Protocol = packet[9];
        repr.Source = Ipv4Address.Read(packet[12..]);
        repr.Destination = Ipv4Address.Read(packet[16..]);
        headerLength = ihl;
        return WireError.None;
    }

    /// <summary>Writes a 20-byte header with total length <c>20 + PayloadLength</c>.</summary>
    public static void Emit(in Ipv4Repr repr, Span<byte> header, bool fillChecksum = true)
    {
        header[0] = 0x45;
        header[1] = repr.Tos;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(MinHeaderLength + repr.PayloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], repr.Identification);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], repr.DontFragment ? DontFragmentBit : (ushort)0);
        header[8] = repr.Ttl;
        header[9] = repr.Protocol;
        header[10] = 0;
        header[11] = 0;
        repr.Source.Write(header[12..]);
        repr.Destination.Write(header[16..]);
        if (fillChecksum) FillChecksum(header);
    }

    /// <summary>Computes and stores the header checksum of a header whose IHL is already written.</summary>
    public static void FillChecksum(Span<byte> header)
    {
        int ihl = (header[0] & 0xF) * 4;
        header[10] = 0;
        header[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], Checksum.Compute(header[..ihl]));
    }
}

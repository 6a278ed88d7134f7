using System.Buffers.Binary;
using System.Text;
using Junction.Conformance.Parsing;

namespace Junction.Conformance.Running;

/// <summary>One TCP option as it was on the wire: kind and the bytes after kind and length.</summary>
internal readonly record struct WireOption(byte Kind, byte[] Data)
{
    public uint TsVal => BinaryPrimitives.ReadUInt32BigEndian(Data);

    public uint TsEcr => BinaryPrimitives.ReadUInt32BigEndian(Data.AsSpan(4));
}

/// <summary>A TCP segment the stack sent, decoded field by field (raw: no sequence mapping yet).</summary>
internal sealed record WireSegment(
    long TimeMicros,
    ushort SourcePort,
    ushort DestinationPort,
    uint Sequence,
    uint Ack,
    SegmentFlags Flags,
    ushort Window,
    ushort UrgentPointer,
    IReadOnlyList<WireOption> Options,
    int PayloadLength,
    byte Ecn)
{
    /// <summary>Decodes the TCP header at <paramref name="segment"/> (its length is the IP payload length).</summary>
    public static WireSegment Parse(long time, ReadOnlySpan<byte> segment, byte ecn)
    {
        int dataOffset = (segment[12] >> 4) * 4;
        var options = new List<WireOption>();
        ReadOnlySpan<byte> raw = segment[20..dataOffset];
        int i = 0;
        while (i < raw.Length)
        {
            byte kind = raw[i];
            if (kind is 0 or 1)
            {
                options.Add(new WireOption(kind, []));
                i++;
                continue;
            }
            int length = i + 1 < raw.Length ? raw[i + 1] : 0;
            if (length < 2 || i + length > raw.Length)
            {
                options.Add(new WireOption(kind, raw[i..].ToArray()));
                break;
            }
            options.Add(new WireOption(kind, raw.Slice(i + 2, length - 2).ToArray()));
            i += length;
        }
        var flags = (SegmentFlags)segment[13] | ((segment[12] & 1) != 0 ? SegmentFlags.Ae : SegmentFlags.None);
        return new WireSegment(
            time,
            BinaryPrimitives.ReadUInt16BigEndian(segment),
            BinaryPrimitives.ReadUInt16BigEndian(segment[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(segment[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(segment[8..]),
            flags,
            BinaryPrimitives.ReadUInt16BigEndian(segment[14..]),
            BinaryPrimitives.ReadUInt16BigEndian(segment[18..]),
            options,
            segment.Length - dataOffset,
            ecn);
    }

    /// <summary>Flags the way packetdrill writes them: <c>P.</c>, <c>S.</c>, <c>F.</c>.</summary>
    public static string FormatFlags(SegmentFlags flags)
    {
        var text = new StringBuilder();
        if ((flags & SegmentFlags.Fin) != 0) text.Append('F');
        if ((flags & SegmentFlags.Syn) != 0) text.Append('S');
        if ((flags & SegmentFlags.Rst) != 0) text.Append('R');
        if ((flags & SegmentFlags.Psh) != 0) text.Append('P');
        if ((flags & SegmentFlags.Urg) != 0) text.Append('U');
        if ((flags & SegmentFlags.Ece) != 0) text.Append('E');
        if ((flags & SegmentFlags.Cwr) != 0) text.Append('W');
        if ((flags & SegmentFlags.Ae) != 0) text.Append('A');
        if ((flags & SegmentFlags.Ack) != 0) text.Append('.');
        return text.Length == 0 ? "-" : text.ToString();
    }
}

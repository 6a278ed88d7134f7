using System.Buffers.Binary;
using Junction.Conformance.Parsing;

namespace Junction.Conformance.Running;

/// <summary>Writes a scripted TCP header with exactly the options the script lists, in its order.</summary>
internal static class SegmentEncoder
{
    /// <summary>Encodes the option list (padded with EOL to a 4-byte boundary, as packetdrill does).</summary>
    public static byte[] EncodeOptions(IReadOnlyList<TcpOptionSpec> options, Func<uint, uint> mapSack, Func<uint, uint> mapEcr, int line)
    {
        var bytes = new List<byte>();
        foreach (TcpOptionSpec option in options)
        {
            switch (option)
            {
                case NopOption: bytes.Add(1); break;
                case EolOption: bytes.Add(0); break;
                case MssOption mss:
                    bytes.AddRange([2, 4, (byte)(mss.Mss >> 8), (byte)mss.Mss]);
                    break;
                case WindowScaleOption ws:
                    bytes.AddRange([3, 3, (byte)ws.Shift]);
                    break;
                case SackPermittedOption:
                    bytes.AddRange([4, 2]);
                    break;
                case SackOption sack:
                    bytes.Add(5);
                    bytes.Add((byte)(2 + 8 * sack.Blocks.Count));
                    foreach (SackRange block in sack.Blocks)
                    {
                        AddUInt32(bytes, mapSack(block.Left));
                        AddUInt32(bytes, mapSack(block.Right));
                    }
                    break;
                case TimestampOption ts:
                    bytes.AddRange([8, 10]);
                    AddUInt32(bytes, ts.Value);
                    AddUInt32(bytes, mapEcr(ts.Echo));
                    break;
                case UnsupportedOption other:
                    throw ScriptFailure.NotSupported(line, $"TCP option '{other.Text}'");
                default:
                    throw new InvalidOperationException(option.ToString());
            }
        }
        while (bytes.Count % 4 != 0) bytes.Add(0);
        if (bytes.Count > 40) throw new ScriptFailure(line, "TCP option list too long");
        return [.. bytes];
    }

    /// <summary>Writes the 20-byte header plus <paramref name="options"/> into <paramref name="segment"/>; returns the header length.</summary>
    public static int WriteHeader(Span<byte> segment, ushort sourcePort, ushort destinationPort, uint seq, uint ack,
        SegmentFlags flags, ushort window, ushort urgent, ReadOnlySpan<byte> options)
    {
        int headerLength = 20 + options.Length;
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(segment[8..], ack);
        segment[12] = (byte)((headerLength / 4) << 4 | ((flags & SegmentFlags.Ae) != 0 ? 1 : 0));
        segment[13] = (byte)((int)flags & 0xFF);
        BinaryPrimitives.WriteUInt16BigEndian(segment[14..], window);
        segment[16] = 0;
        segment[17] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(segment[18..], urgent);
        options.CopyTo(segment[20..]);
        return headerLength;
    }

    private static void AddUInt32(List<byte> bytes, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        bytes.AddRange(b.ToArray());
    }
}

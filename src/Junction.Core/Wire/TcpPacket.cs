using System.Buffers.Binary;

namespace Junction.Wire;

/// <summary>The TCP header and its options (RFC 9293, 7323, 2018).</summary>
internal static class TcpPacket
{
    /// <summary>Length of a header without options.</summary>
    public const int MinHeaderLength = 20;

    /// <summary>Length of the largest header (data offset 15).</summary>
    public const int MaxHeaderLength = 60;

    /// <summary>
    /// Reads a segment (the whole IP payload; the checksum covers all of it). The payload is
    /// <c>segment[headerLength..]</c>.
    /// </summary>
    /// <returns>
    /// <see cref="WireError.Truncated"/> under 20 bytes; <see cref="WireError.BadHeaderLength"/> if the data offset is
    /// below 5 or past the segment; <see cref="WireError.BadChecksum"/>; <see cref="WireError.BadOption"/> if an option's
    /// length is below 2 or runs past the header. Known options with the wrong length are ignored, as Linux does.
    /// </returns>
    public static WireError TryParse(ReadOnlySpan<byte> segment, Ipv4Address source, Ipv4Address destination,
        bool verifyChecksum, out TcpRepr repr, out int headerLength)
    {
        repr = default;
        headerLength = 0;
        if (segment.Length < MinHeaderLength) return WireError.Truncated;
        int dataOffset = (segment[12] >> 4) * 4;
        if (dataOffset < MinHeaderLength || dataOffset > segment.Length) return WireError.BadHeaderLength;
        if (verifyChecksum)
        {
            uint sum = Checksum.PseudoHeader(source, destination, IpProtocol.Tcp, segment.Length);
            if (Checksum.Finish(Checksum.Accumulate(segment, sum)) != 0) return WireError.BadChecksum;
        }

        repr.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(segment);
        repr.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(segment[2..]);
        repr.SequenceNumber = new TcpSeq(BinaryPrimitives.ReadUInt32BigEndian(segment[4..]));
        repr.AckNumber = new TcpSeq(BinaryPrimitives.ReadUInt32BigEndian(segment[8..]));
        repr.Flags = (TcpFlags)segment[13];
        repr.Window = BinaryPrimitives.ReadUInt16BigEndian(segment[14..]);
        repr.UrgentPointer = BinaryPrimitives.ReadUInt16BigEndian(segment[18..]);

        WireError error = ParseOptions(segment[MinHeaderLength..dataOffset], ref repr);
        if (error != WireError.None)
        {
            repr = default;
            return error;
        }
        headerLength = dataOffset;
        return WireError.None;
    }

    /// <summary>Follows Linux tcp_parse_options, except that malformed lengths reject the segment.</summary>
    private static WireError ParseOptions(ReadOnlySpan<byte> options, ref TcpRepr repr)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == TcpOptionKind.EndOfList) break;
            if (kind == TcpOptionKind.Nop)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length) return WireError.BadOption;
            int length = options[i + 1];
            if (length < 2 || i + length > options.Length) return WireError.BadOption;
            ReadOnlySpan<byte> value = options.Slice(i + 2, length - 2);
            switch (kind)
            {
                case TcpOptionKind.Mss when length == TcpOptionKind.MssLength:
                    repr.HasMss = true;
                    repr.Mss = BinaryPrimitives.ReadUInt16BigEndian(value);
                    break;
                case TcpOptionKind.WindowScale when length == TcpOptionKind.WindowScaleLength:
                    repr.HasWindowScale = true;
                    repr.WindowScale = Math.Min(value[0], TcpOptionKind.MaxWindowScale);
                    break;
                case TcpOptionKind.SackPermitted when length == TcpOptionKind.SackPermittedLength:
                    repr.SackPermitted = true;
                    break;
                case TcpOptionKind.Timestamp when length == TcpOptionKind.TimestampLength:
                    repr.HasTimestamp = true;
                    repr.TsVal = BinaryPrimitives.ReadUInt32BigEndian(value);
                    repr.TsEcr = BinaryPrimitives.ReadUInt32BigEndian(value[4..]);
                    break;
                case TcpOptionKind.Sack when length >= TcpOptionKind.SackBaseLength + TcpOptionKind.SackBlockLength &&
                                             (length - TcpOptionKind.SackBaseLength) % TcpOptionKind.SackBlockLength == 0:
                    // 40 bytes of options hold at most 4 blocks, so the inline array cannot overflow.
                    int count = (length - TcpOptionKind.SackBaseLength) / TcpOptionKind.SackBlockLength;
                    for (int b = 0; b < count; b++)
                    {
                        ReadOnlySpan<byte> block = value.Slice(b * TcpOptionKind.SackBlockLength, TcpOptionKind.SackBlockLength);
                        repr.SackBlocks[b] = new SackBlock(
                            new TcpSeq(BinaryPrimitives.ReadUInt32BigEndian(block)),
                            new TcpSeq(BinaryPrimitives.ReadUInt32BigEndian(block[4..])));
                    }
                    repr.SackCount = count;
                    break;
                default:
                    // Unknown kinds, and known kinds with a length Linux would not accept, are skipped.
                    break;
            }
            i += length;
        }
        return WireError.None;
    }

    /// <summary>
    /// The header length <see cref="Emit"/> writes: 20 plus the options laid out as Linux does (always a multiple of 4),
    /// after dropping SACK blocks that would not fit in 40 bytes.
    /// </summary>
    public static int HeaderLength(in TcpRepr repr) => MinHeaderLength + FixedOptionsLength(repr) + SackOptionLength(repr);

    /// <summary>
    /// Writes the header and options with the checksum field 0 (see <see cref="FillChecksum"/>).
    /// Options follow Linux tcp_options_write: MSS; timestamps (merged with SACK-permitted as
    /// <c>sackOK,TS</c>, else <c>nop,nop,TS</c>); <c>nop,nop,sackOK</c> if SACK-permitted without timestamps;
    /// <c>nop,wscale</c>; <c>nop,nop,sack</c> blocks, as many as fit.
    /// </summary>
    /// <returns>The header length written.</returns>
    public static int Emit(in TcpRepr repr, Span<byte> header)
    {
        int sackLength = SackOptionLength(repr);
        int length = MinHeaderLength + FixedOptionsLength(repr) + sackLength;
        header = header[..length];

        BinaryPrimitives.WriteUInt16BigEndian(header, repr.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], repr.DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], repr.SequenceNumber.Value);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], repr.AckNumber.Value);
        header[12] = (byte)(length / 4 << 4);
        header[13] = (byte)repr.Flags;
        BinaryPrimitives.WriteUInt16BigEndian(header[14..], repr.Window);
        header[16] = 0;
        header[17] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[18..], repr.UrgentPointer);

        Span<byte> o = header[MinHeaderLength..];
        int at = 0;
        if (repr.HasMss)
        {
            at = Word(o, at, TcpOptionKind.Mss, TcpOptionKind.MssLength, (byte)(repr.Mss >> 8), (byte)repr.Mss);
        }
        if (repr.HasTimestamp)
        {
            at = repr.SackPermitted
                ? Word(o, at, TcpOptionKind.SackPermitted, TcpOptionKind.SackPermittedLength, TcpOptionKind.Timestamp, TcpOptionKind.TimestampLength)
                : Word(o, at, TcpOptionKind.Nop, TcpOptionKind.Nop, TcpOptionKind.Timestamp, TcpOptionKind.TimestampLength);
            BinaryPrimitives.WriteUInt32BigEndian(o[at..], repr.TsVal);
            BinaryPrimitives.WriteUInt32BigEndian(o[(at + 4)..], repr.TsEcr);
            at += 8;
        }
        else if (repr.SackPermitted)
        {
            at = Word(o, at, TcpOptionKind.Nop, TcpOptionKind.Nop, TcpOptionKind.SackPermitted, TcpOptionKind.SackPermittedLength);
        }
        if (repr.HasWindowScale)
        {
            at = Word(o, at, TcpOptionKind.Nop, TcpOptionKind.WindowScale, TcpOptionKind.WindowScaleLength, repr.WindowScale);
        }
        if (sackLength > 0)
        {
            int blocks = (sackLength - 4) / TcpOptionKind.SackBlockLength;
            at = Word(o, at, TcpOptionKind.Nop, TcpOptionKind.Nop, TcpOptionKind.Sack,
                (byte)(TcpOptionKind.SackBaseLength + blocks * TcpOptionKind.SackBlockLength));
            for (int b = 0; b < blocks; b++)
            {
                SackBlock block = repr.SackBlocks[b];
                BinaryPrimitives.WriteUInt32BigEndian(o[at..], block.Left.Value);
                BinaryPrimitives.WriteUInt32BigEndian(o[(at + 4)..], block.Right.Value);
                at += TcpOptionKind.SackBlockLength;
            }
        }
        return length;
    }

    /// <summary>Computes and stores the checksum over the whole <paramref name="segment"/> and the pseudo-header.</summary>
    public static void FillChecksum(Span<byte> segment, Ipv4Address source, Ipv4Address destination)
    {
        segment[16] = 0;
        segment[17] = 0;
        uint sum = Checksum.PseudoHeader(source, destination, IpProtocol.Tcp, segment.Length);
        BinaryPrimitives.WriteUInt16BigEndian(segment[16..], Checksum.Finish(Checksum.Accumulate(segment, sum)));
    }

    /// <summary>Bytes taken by every option except SACK blocks; each part is a whole number of 32-bit words.</summary>
    private static int FixedOptionsLength(in TcpRepr repr)
    {
        int length = 0;
        if (repr.HasMss) length += 4;
        if (repr.HasTimestamp) length += 12;
        else if (repr.SackPermitted) length += 4;
        if (repr.HasWindowScale) length += 4;
        return length;
    }

    /// <summary>Bytes of the <c>nop,nop,sack</c> word and the blocks that fit; 0 when there are none.</summary>
    private static int SackOptionLength(in TcpRepr repr)
    {
        int room = TcpOptionKind.MaxOptionsLength - FixedOptionsLength(repr) - 4;
        int blocks = Math.Min(Math.Clamp(repr.SackCount, 0, 4), room / TcpOptionKind.SackBlockLength);
        return blocks > 0 ? 4 + blocks * TcpOptionKind.SackBlockLength : 0;
    }

    private static int Word(Span<byte> options, int at, byte b0, byte b1, byte b2, byte b3)
    {
        options[at] = b0;
        options[at + 1] = b1;
        options[at + 2] = b2;
        options[at + 3] = b3;
        return at + 4;
    }
}

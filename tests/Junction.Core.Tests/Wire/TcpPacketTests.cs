using System.Buffers.Binary;
using Junction.Wire;

namespace Junction.Tests.Wire;

public class TcpPacketTests
{
    private static readonly Ipv4Address Source = new(192, 0, 2, 1);
    private static readonly Ipv4Address Destination = new(192, 0, 2, 2);

    private static TcpRepr Basic(TcpFlags flags = TcpFlags.Ack) => new()
    {
        SourcePort = 40000,
        DestinationPort = 8080,
        SequenceNumber = new TcpSeq(0xFFFF_FFF0),
        AckNumber = new TcpSeq(12345),
        Flags = flags,
        Window = 502,
        UrgentPointer = 0,
    };

    private static byte[] Segment(in TcpRepr repr, int payloadLength = 0)
    {
        byte[] segment = new byte[TcpPacket.HeaderLength(repr) + payloadLength];
        new Random(payloadLength).NextBytes(segment.AsSpan(TcpPacket.HeaderLength(repr)));
        TcpPacket.Emit(repr, segment);
        TcpPacket.FillChecksum(segment, Source, Destination);
        return segment;
    }

    /// <summary>A segment with the given raw option bytes (padded to a word with EOL) and a valid checksum.</summary>
    private static byte[] SegmentWithOptions(params byte[] options)
    {
        int headerLength = 20 + (options.Length + 3) / 4 * 4;
        byte[] segment = new byte[headerLength + 4];
        TcpPacket.Emit(Basic(), segment);
        options.CopyTo(segment, 20);
        segment[12] = (byte)(headerLength / 4 << 4);
        TcpPacket.FillChecksum(segment, Source, Destination);
        return segment;
    }

    private static TcpRepr ParseOk(byte[] segment, out int headerLength)
    {
        Assert.Equal(WireError.None, TcpPacket.TryParse(segment, Source, Destination, true, out TcpRepr repr, out headerLength));
        return repr;
    }

    private static void AssertSameHeader(in TcpRepr expected, in TcpRepr actual, int expectedSackCount)
    {
        Assert.Equal(expected.SourcePort, actual.SourcePort);
        Assert.Equal(expected.DestinationPort, actual.DestinationPort);
        Assert.Equal(expected.SequenceNumber, actual.SequenceNumber);
        Assert.Equal(expected.AckNumber, actual.AckNumber);
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(expected.Window, actual.Window);
        Assert.Equal(expected.UrgentPointer, actual.UrgentPointer);
        Assert.Equal(expected.HasMss, actual.HasMss);
        Assert.Equal(expected.HasMss ? expected.Mss : 0, actual.Mss);
        Assert.Equal(expected.HasWindowScale, actual.HasWindowScale);
        Assert.Equal(expected.HasWindowScale ? expected.WindowScale : 0, actual.WindowScale);
        Assert.Equal(expected.SackPermitted, actual.SackPermitted);
        Assert.Equal(expected.HasTimestamp, actual.HasTimestamp);
        Assert.Equal(expected.HasTimestamp ? expected.TsVal : 0, actual.TsVal);
        Assert.Equal(expected.HasTimestamp ? expected.TsEcr : 0, actual.TsEcr);
        Assert.Equal(expectedSackCount, actual.SackCount);
        for (int i = 0; i < expectedSackCount; i++)
            Assert.Equal(expected.SackBlocks[i], actual.SackBlocks[i]);
    }

    [Fact]
    public void Header_without_options_round_trips()
    {
        TcpRepr repr = Basic(TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin);
        repr.UrgentPointer = 0x0102;
        byte[] segment = Segment(repr, payloadLength: 33);
        TcpRepr parsed = ParseOk(segment, out int headerLength);
        Assert.Equal(20, headerLength);
        AssertSameHeader(repr, parsed, 0);
    }

    [Fact]
    public void Every_option_combination_round_trips_and_matches_header_length()
    {
        for (int mask = 0; mask < 16; mask++)
        {
            for (int sackCount = 0; sackCount <= 4; sackCount++)
            {
                TcpRepr repr = Basic((mask & 1) != 0 ? TcpFlags.Syn | TcpFlags.Ack : TcpFlags.Ack);
                repr.HasMss = (mask & 1) != 0;
                repr.Mss = 1460;
                repr.HasWindowScale = (mask & 2) != 0;
                repr.WindowScale = 7;
                repr.SackPermitted = (mask & 4) != 0;
                repr.HasTimestamp = (mask & 8) != 0;
                repr.TsVal = 0xDEAD_BEEF;
                repr.TsEcr = 0x0102_0304;
                repr.SackCount = sackCount;
                for (int i = 0; i < sackCount; i++)
                    repr.SackBlocks[i] = new SackBlock(new TcpSeq((uint)(1000 * i + 100)), new TcpSeq((uint)(1000 * i + 600)));

                int fixedLength = (repr.HasMss ? 4 : 0) + (repr.HasTimestamp ? 12 : repr.SackPermitted ? 4 : 0) + (repr.HasWindowScale ? 4 : 0);
                int fitting = Math.Min(sackCount, (40 - fixedLength - 4) / 8);
                int expectedLength = 20 + fixedLength + (fitting > 0 ? 4 + 8 * fitting : 0);

                byte[] segment = new byte[60 + 10];
                int written = TcpPacket.Emit(repr, segment);
                Assert.Equal(expectedLength, written);
                Assert.Equal(written, TcpPacket.HeaderLength(repr));
                Assert.True(written <= 60);
                TcpPacket.FillChecksum(segment, Source, Destination);

                TcpRepr parsed = ParseOk(segment, out int headerLength);
                Assert.Equal(written, headerLength);
                AssertSameHeader(repr, parsed, fitting);
            }
        }
    }

    [Fact]
    public void Linux_style_syn_options_are_laid_out_byte_for_byte()
    {
        TcpRepr repr = Basic(TcpFlags.Syn);
        repr.HasMss = true;
        repr.Mss = 1460;
        repr.SackPermitted = true;
        repr.HasTimestamp = true;
        repr.TsVal = 0x11223344;
        repr.TsEcr = 0;
        repr.HasWindowScale = true;
        repr.WindowScale = 7;
        byte[] header = new byte[60];
        Assert.Equal(40, TcpPacket.Emit(repr, header));
        // <mss 1460,sackOK,TS val 0x11223344 ecr 0,nop,wscale 7>
        Assert.Equal("020405b4" + "0402080a" + "11223344" + "00000000" + "01030307", Convert.ToHexStringLower(header, 20, 20));
        Assert.Equal(0xA0, header[12]);
        Assert.Equal(0x02, header[13]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16)));
    }

    [Fact]
    public void Syn_without_timestamps_puts_sack_permitted_after_two_nops()
    {
        TcpRepr repr = Basic(TcpFlags.Syn | TcpFlags.Ack);
        repr.HasMss = true;
        repr.Mss = 536;
        repr.SackPermitted = true;
        repr.HasWindowScale = true;
        repr.WindowScale = 14;
        byte[] header = new byte[60];
        Assert.Equal(32, TcpPacket.Emit(repr, header));
        // <mss 536,nop,nop,sackOK,nop,wscale 14>
        Assert.Equal("02040218" + "01010402" + "0103030e", Convert.ToHexStringLower(header, 20, 12));
    }

    [Fact]
    public void Syn_with_timestamps_but_no_sack_pads_with_two_nops()
    {
        TcpRepr repr = Basic(TcpFlags.Syn);
        repr.HasMss = true;
        repr.Mss = 1460;
        repr.HasTimestamp = true;
        repr.TsVal = 1;
        repr.TsEcr = 2;
        byte[] header = new byte[60];
        Assert.Equal(36, TcpPacket.Emit(repr, header));
        // <mss 1460,nop,nop,TS val 1 ecr 2>
        Assert.Equal("020405b4" + "0101080a" + "00000001" + "00000002", Convert.ToHexStringLower(header, 20, 16));
    }

    [Fact]
    public void Ack_with_timestamps_and_sack_blocks_is_laid_out_as_linux_does()
    {
        TcpRepr repr = Basic();
        repr.HasTimestamp = true;
        repr.TsVal = 0x0A;
        repr.TsEcr = 0x0B;
        repr.SackCount = 2;
        repr.SackBlocks[0] = new SackBlock(new TcpSeq(0x100), new TcpSeq(0x200));
        repr.SackBlocks[1] = new SackBlock(new TcpSeq(0x300), new TcpSeq(0x400));
        byte[] header = new byte[60];
        Assert.Equal(20 + 12 + 4 + 16, TcpPacket.Emit(repr, header));
        // <nop,nop,TS val 10 ecr 11,nop,nop,sack 2 {0x100:0x200}{0x300:0x400}>
        Assert.Equal("0101080a0000000a0000000b" + "01010512" + "0000010000000200" + "0000030000000400",
            Convert.ToHexStringLower(header, 20, 32));
    }

    [Fact]
    public void Sack_blocks_that_do_not_fit_are_dropped_from_the_end()
    {
        TcpRepr repr = Basic();
        repr.HasTimestamp = true;
        repr.SackCount = 4;
        for (int i = 0; i < 4; i++)
            repr.SackBlocks[i] = new SackBlock(new TcpSeq((uint)i * 10), new TcpSeq((uint)i * 10 + 5));
        byte[] segment = new byte[60];
        Assert.Equal(60, TcpPacket.Emit(repr, segment));
        Assert.Equal(2 + 3 * 8, segment[20 + 12 + 3]);
        TcpPacket.FillChecksum(segment, Source, Destination);
        TcpRepr parsed = ParseOk(segment, out _);
        Assert.Equal(3, parsed.SackCount);
        Assert.Equal(repr.SackBlocks[2], parsed.SackBlocks[2]);

        repr.HasTimestamp = false;
        Assert.Equal(20 + 4 + 32, TcpPacket.HeaderLength(repr));
    }

    [Fact]
    public void Window_scale_above_14_is_clamped_on_parse()
    {
        TcpRepr parsed = ParseOk(SegmentWithOptions(1, 3, 3, 15), out int headerLength);
        Assert.Equal(24, headerLength);
        Assert.True(parsed.HasWindowScale);
        Assert.Equal(14, parsed.WindowScale);
    }

    [Fact]
    public void Checksum_covers_header_payload_and_pseudo_header()
    {
        TcpRepr repr = Basic();
        repr.HasTimestamp = true;
        byte[] segment = Segment(repr, payloadLength: 101);
        ParseOk(segment, out _);
        Assert.Equal(WireError.BadChecksum, TcpPacket.TryParse(segment, Source, new Ipv4Address(192, 0, 2, 3), true, out _, out _));
        segment[^1] ^= 0x01;
        Assert.Equal(WireError.BadChecksum, TcpPacket.TryParse(segment, Source, Destination, true, out _, out _));
        Assert.Equal(WireError.None, TcpPacket.TryParse(segment, Source, Destination, false, out _, out _));
    }

    [Fact]
    public void Truncated_header_is_rejected_at_every_length()
    {
        byte[] segment = Segment(Basic());
        for (int length = 0; length < 20; length++)
            Assert.Equal(WireError.Truncated, TcpPacket.TryParse(segment.AsSpan(0, length), Source, Destination, false, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Data_offset_below_five_words_is_rejected(int dataOffset)
    {
        byte[] segment = Segment(Basic(), payloadLength: 40);
        segment[12] = (byte)(dataOffset << 4);
        Assert.Equal(WireError.BadHeaderLength, TcpPacket.TryParse(segment, Source, Destination, false, out _, out _));
    }

    [Fact]
    public void Data_offset_past_the_segment_is_rejected()
    {
        TcpRepr repr = Basic(TcpFlags.Syn);
        repr.HasMss = true;
        repr.HasTimestamp = true;
        byte[] segment = Segment(repr); // 36-byte header
        for (int length = 20; length < 36; length++)
            Assert.Equal(WireError.BadHeaderLength, TcpPacket.TryParse(segment.AsSpan(0, length), Source, Destination, false, out _, out _));
        segment[12] = 0xF0;
        Assert.Equal(WireError.BadHeaderLength, TcpPacket.TryParse(segment, Source, Destination, false, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 5, 0xB4 })]             // zero length
    [InlineData(new byte[] { 30, 1, 1, 1 })]               // length one
    [InlineData(new byte[] { 1, 1, 1, 8 })]                // kind in the last byte, no length byte
    [InlineData(new byte[] { 1, 1, 30, 3 })]               // unknown kind running past the header
    [InlineData(new byte[] { 8, 10, 0, 0, 0, 0, 0, 0 })]   // timestamps cut short
    [InlineData(new byte[] { 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 })] // two SACK blocks, room for one and a half
    public void Malformed_option_lengths_reject_the_segment(byte[] options)
    {
        byte[] segment = SegmentWithOptions(options);
        Assert.Equal(WireError.BadOption, TcpPacket.TryParse(segment, Source, Destination, true, out TcpRepr repr, out int headerLength));
        Assert.Equal(0, headerLength);
        Assert.False(repr.HasMss);
    }

    [Fact]
    public void Known_options_with_the_wrong_length_are_ignored()
    {
        // MSS of length 3, window scale of length 4, SACK-permitted of length 3, timestamps of length 9,
        // SACK of length 6 (not 2 + 8n), then a well-formed MSS.
        TcpRepr parsed = ParseOk(SegmentWithOptions(
            2, 3, 5,
            3, 4, 7, 0,
            4, 3, 0,
            8, 9, 1, 2, 3, 4, 5, 6, 7,
            5, 6, 0, 0, 0, 1,
            2, 4, 0x05, 0xB4), out _);
        Assert.True(parsed.HasMss);
        Assert.Equal(1460, parsed.Mss);
        Assert.False(parsed.HasWindowScale);
        Assert.False(parsed.SackPermitted);
        Assert.False(parsed.HasTimestamp);
        Assert.Equal(0, parsed.SackCount);
    }

    [Fact]
    public void Unknown_options_are_skipped_by_their_length()
    {
        TcpRepr parsed = ParseOk(SegmentWithOptions(30, 6, 2, 4, 5, 0xB4, 4, 2), out _);
        Assert.False(parsed.HasMss);
        Assert.True(parsed.SackPermitted);
    }

    [Fact]
    public void End_of_list_stops_parsing_and_hides_what_follows()
    {
        TcpRepr parsed = ParseOk(SegmentWithOptions(4, 2, 0, 2, 0, 0, 0, 0), out int headerLength);
        Assert.Equal(28, headerLength);
        Assert.True(parsed.SackPermitted);
        Assert.False(parsed.HasMss);
    }

    [Fact]
    public void Payload_starts_after_the_options()
    {
        TcpRepr repr = Basic();
        repr.HasTimestamp = true;
        byte[] segment = Segment(repr, payloadLength: 5);
        byte[] payload = segment[32..];
        TcpRepr parsed = ParseOk(segment, out int headerLength);
        Assert.Equal(32, headerLength);
        Assert.Equal(payload, segment.AsSpan(headerLength).ToArray());
        Assert.Equal(5, parsed.SegmentLength(segment.Length - headerLength));
    }
}

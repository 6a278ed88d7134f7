using System.Buffers.Binary;
using Junction.Wire;

namespace Junction.Tests.Wire;

public class Ipv4PacketTests
{
    private static Ipv4Repr Sample(int payloadLength = 12) => new()
    {
        Source = new Ipv4Address(192, 168, 0, 1),
        Destination = new Ipv4Address(10, 1, 2, 3),
        Protocol = IpProtocol.Udp,
        Ttl = 64,
        PayloadLength = payloadLength,
        Identification = 0xBEEF,
        DontFragment = true,
        Tos = 0x2E,
    };

    private static byte[] Packet(Ipv4Repr repr, int extra = 0)
    {
        byte[] packet = new byte[Ipv4Packet.MinHeaderLength + repr.PayloadLength + extra];
        Ipv4Packet.Emit(repr, packet);
        return packet;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Header_round_trips(bool dontFragment)
    {
        Ipv4Repr repr = Sample();
        repr.DontFragment = dontFragment;
        byte[] packet = Packet(repr);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(packet, verifyChecksum: true, out Ipv4Repr parsed, out int headerLength));
        Assert.Equal(20, headerLength);
        Assert.Equal(repr, parsed);
    }

    [Fact]
    public void Emit_writes_the_textbook_header_byte_for_byte()
    {
        var repr = new Ipv4Repr
        {
            Source = new Ipv4Address(192, 168, 0, 1),
            Destination = new Ipv4Address(192, 168, 0, 199),
            Protocol = IpProtocol.Udp,
            Ttl = 64,
            PayloadLength = 0x73 - 20,
            DontFragment = true,
        };
        byte[] header = new byte[20];
        Ipv4Packet.Emit(repr, header);
        Assert.Equal("4500007300004000" + "4011b861c0a80001c0a800c7", Convert.ToHexStringLower(header));
    }

    [Fact]
    public void Emit_without_checksum_leaves_the_field_zero()
    {
        byte[] header = new byte[20];
        header.AsSpan().Fill(0xAA);
        Ipv4Packet.Emit(Sample(), header, fillChecksum: false);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(10)));
    }

    [Fact]
    public void Payload_length_comes_from_total_length_when_ethernet_padding_follows()
    {
        byte[] packet = Packet(Sample(payloadLength: 8), extra: 18);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(packet, true, out Ipv4Repr parsed, out _));
        Assert.Equal(8, parsed.PayloadLength);
    }

    [Fact]
    public void Options_are_skipped_and_reported_in_the_header_length()
    {
        byte[] packet = new byte[24 + 4];
        Ipv4Packet.Emit(Sample(payloadLength: 8), packet);
        packet[0] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 28);
        packet.AsSpan(20, 4).Fill(0x01); // four NOP options
        Ipv4Packet.FillChecksum(packet);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(packet, true, out Ipv4Repr parsed, out int headerLength));
        Assert.Equal(24, headerLength);
        Assert.Equal(4, parsed.PayloadLength);
        Assert.Equal(new Ipv4Address(10, 1, 2, 3), parsed.Destination);
    }

    [Fact]
    public void Truncated_header_is_rejected_at_every_length()
    {
        byte[] packet = Packet(Sample(payloadLength: 0));
        for (int length = 0; length < 20; length++)
            Assert.Equal(WireError.Truncated, Ipv4Packet.TryParse(packet.AsSpan(0, length), true, out _, out _));
    }

    [Fact]
    public void Header_with_options_cut_short_is_truncated()
    {
        byte[] packet = new byte[60];
        Ipv4Packet.Emit(Sample(payloadLength: 40), packet, fillChecksum: false);
        packet[0] = 0x4F;
        for (int length = 20; length < 60; length++)
            Assert.Equal(WireError.Truncated, Ipv4Packet.TryParse(packet.AsSpan(0, length), false, out _, out _));
    }

    [Fact]
    public void Payload_cut_short_of_the_total_length_is_truncated()
    {
        byte[] packet = Packet(Sample(payloadLength: 10));
        for (int length = 20; length < 30; length++)
            Assert.Equal(WireError.Truncated, Ipv4Packet.TryParse(packet.AsSpan(0, length), true, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(15)]
    public void Other_versions_are_rejected(int version)
    {
        byte[] packet = Packet(Sample());
        packet[0] = (byte)(version << 4 | 5);
        Ipv4Packet.FillChecksum(packet);
        Assert.Equal(WireError.BadVersion, Ipv4Packet.TryParse(packet, true, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void Header_length_below_five_words_is_rejected(int ihl)
    {
        byte[] packet = Packet(Sample());
        packet[0] = (byte)(0x40 | ihl);
        Assert.Equal(WireError.BadHeaderLength, Ipv4Packet.TryParse(packet, false, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    public void Total_length_shorter_than_the_header_is_rejected(int totalLength)
    {
        byte[] packet = Packet(Sample());
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)totalLength);
        Ipv4Packet.FillChecksum(packet);
        Assert.Equal(WireError.BadLength, Ipv4Packet.TryParse(packet, true, out _, out _));
    }

    [Theory]
    [InlineData(0x2000)] // more fragments
    [InlineData(0x0001)] // offset 8
    [InlineData(0x1FFF)] // last possible offset
    [InlineData(0x6001)] // DF and an offset
    public void Fragments_are_reported(int flagsAndOffset)
    {
        byte[] packet = Packet(Sample());
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), (ushort)flagsAndOffset);
        Ipv4Packet.FillChecksum(packet);
        Assert.Equal(WireError.Fragmented, Ipv4Packet.TryParse(packet, true, out _, out _));
    }

    [Fact]
    public void Corrupted_header_fails_the_checksum_unless_verification_is_off()
    {
        byte[] packet = Packet(Sample());
        packet[8] ^= 0x01; // TTL
        Assert.Equal(WireError.BadChecksum, Ipv4Packet.TryParse(packet, true, out _, out _));
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(packet, false, out Ipv4Repr parsed, out _));
        Assert.Equal(65, parsed.Ttl);
    }

    [Fact]
    public void Payload_bytes_are_not_covered_by_the_header_checksum()
    {
        byte[] packet = Packet(Sample());
        packet[25] ^= 0xFF;
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(packet, true, out _, out _));
    }
}

using System.Buffers.Binary;
using Junction.Wire;

namespace Junction.Tests.Wire;

public class IcmpUdpTests
{
    private static readonly Ipv4Address Source = new(10, 0, 0, 1);
    private static readonly Ipv4Address Destination = new(10, 0, 0, 2);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(56)]
    [InlineData(57)]
    public void Icmp_echo_round_trips_with_payload(int payloadLength)
    {
        byte[] payload = new byte[payloadLength];
        new Random(payloadLength).NextBytes(payload);
        byte[] message = new byte[IcmpPacket.HeaderLength + payloadLength];
        IcmpPacket.Emit(IcmpRepr.Echo(IcmpType.EchoRequest, 0x1234, 0x5678), payload, message);

        Assert.Equal(WireError.None, IcmpPacket.TryParse(message, verifyChecksum: true, out IcmpRepr parsed));
        Assert.Equal(IcmpType.EchoRequest, parsed.Type);
        Assert.Equal(0, parsed.Code);
        Assert.Equal(0x1234_5678u, parsed.RestOfHeader);
        Assert.Equal(0x1234, parsed.EchoIdentifier);
        Assert.Equal(0x5678, parsed.EchoSequence);
        Assert.Equal(payload, message.AsSpan(IcmpPacket.HeaderLength).ToArray());
    }

    [Fact]
    public void Icmp_request_turns_into_a_reply_in_place()
    {
        byte[] message = new byte[8 + 32];
        byte[] payload = new byte[32];
        new Random(5).NextBytes(payload);
        IcmpPacket.Emit(IcmpRepr.Echo(IcmpType.EchoRequest, 7, 1), payload, message);

        Assert.Equal(WireError.None, IcmpPacket.TryParse(message, true, out IcmpRepr request));
        var reply = new IcmpRepr { Type = IcmpType.EchoReply, Code = 0, RestOfHeader = request.RestOfHeader };
        IcmpPacket.Emit(reply, message.AsSpan(8), message);

        Assert.Equal(WireError.None, IcmpPacket.TryParse(message, true, out IcmpRepr parsed));
        Assert.Equal(IcmpType.EchoReply, parsed.Type);
        Assert.Equal(payload, message.AsSpan(8).ToArray());
    }

    [Fact]
    public void Icmp_rejects_truncated_headers_and_bad_checksums()
    {
        byte[] message = new byte[12];
        IcmpPacket.Emit(IcmpRepr.Echo(IcmpType.EchoRequest, 1, 2), [1, 2, 3, 4], message);
        for (int length = 0; length < IcmpPacket.HeaderLength; length++)
            Assert.Equal(WireError.Truncated, IcmpPacket.TryParse(message.AsSpan(0, length), true, out _));
        message[11] ^= 0x10;
        Assert.Equal(WireError.BadChecksum, IcmpPacket.TryParse(message, true, out _));
        Assert.Equal(WireError.None, IcmpPacket.TryParse(message, false, out _));
    }

    private static byte[] Datagram(int payloadLength, int seed = 1)
    {
        byte[] datagram = new byte[UdpPacket.HeaderLength + payloadLength];
        new Random(seed).NextBytes(datagram);
        UdpPacket.Emit(new UdpRepr { SourcePort = 5353, DestinationPort = 53, PayloadLength = payloadLength }, datagram);
        return datagram;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1471)]
    public void Udp_round_trips_with_checksum(int payloadLength)
    {
        byte[] datagram = Datagram(payloadLength);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(6)));
        Assert.Equal(8 + payloadLength, BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(4)));
        UdpPacket.FillChecksum(datagram, Source, Destination);
        Assert.Equal(WireError.None, UdpPacket.TryParse(datagram, Source, Destination, verifyChecksum: true, out UdpRepr parsed));
        Assert.Equal(new UdpRepr { SourcePort = 5353, DestinationPort = 53, PayloadLength = payloadLength }, parsed);
    }

    [Fact]
    public void Udp_checksum_covers_the_pseudo_header()
    {
        byte[] datagram = Datagram(20);
        UdpPacket.FillChecksum(datagram, Source, Destination);
        Assert.Equal(WireError.BadChecksum, UdpPacket.TryParse(datagram, Source, new Ipv4Address(10, 0, 0, 3), true, out _));
    }

    [Fact]
    public void Udp_rejects_corrupted_payload_unless_verification_is_off()
    {
        byte[] datagram = Datagram(20);
        UdpPacket.FillChecksum(datagram, Source, Destination);
        datagram[15] ^= 0x80;
        Assert.Equal(WireError.BadChecksum, UdpPacket.TryParse(datagram, Source, Destination, true, out _));
        Assert.Equal(WireError.None, UdpPacket.TryParse(datagram, Source, Destination, false, out _));
    }

    [Fact]
    public void Udp_zero_checksum_means_none_and_is_accepted()
    {
        byte[] datagram = Datagram(20);
        Assert.Equal(WireError.None, UdpPacket.TryParse(datagram, Source, Destination, true, out UdpRepr parsed));
        Assert.Equal(20, parsed.PayloadLength);
    }

    [Fact]
    public void Udp_computed_zero_checksum_is_sent_as_ffff_and_verifies()
    {
        byte[] datagram = Datagram(2);
        datagram[8] = 0;
        datagram[9] = 0;
        // Choose the payload word so the ones'-complement sum comes out as 0xFFFF, i.e. a computed checksum of 0.
        uint sum = Checksum.Accumulate(datagram, Checksum.PseudoHeader(Source, Destination, IpProtocol.Udp, datagram.Length));
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(8), Checksum.Finish(sum));

        UdpPacket.FillChecksum(datagram, Source, Destination);
        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(6)));
        Assert.Equal(WireError.None, UdpPacket.TryParse(datagram, Source, Destination, true, out _));
    }

    [Fact]
    public void Udp_checksum_and_payload_length_ignore_bytes_past_the_length_field()
    {
        byte[] datagram = Datagram(10);
        UdpPacket.FillChecksum(datagram, Source, Destination);
        byte[] padded = [.. datagram, 0xDE, 0xAD, 0xBE];
        Assert.Equal(WireError.None, UdpPacket.TryParse(padded, Source, Destination, true, out UdpRepr parsed));
        Assert.Equal(10, parsed.PayloadLength);
    }

    [Fact]
    public void Udp_rejects_truncated_headers_at_every_length()
    {
        byte[] datagram = Datagram(0);
        for (int length = 0; length < UdpPacket.HeaderLength; length++)
            Assert.Equal(WireError.Truncated, UdpPacket.TryParse(datagram.AsSpan(0, length), Source, Destination, true, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(29)]
    [InlineData(0xFFFF)]
    public void Udp_rejects_length_field_below_header_or_beyond_the_datagram(int lengthField)
    {
        byte[] datagram = Datagram(20);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)lengthField);
        Assert.Equal(WireError.BadLength, UdpPacket.TryParse(datagram, Source, Destination, false, out _));
    }
}

using Junction.Stack;
using Junction.Wire;
using static Junction.Tests.Stack.StackHarness;

namespace Junction.Tests.Stack;

public sealed class IcmpTests
{
    private static byte[] EchoRequestFrame(ushort identifier, ushort sequence, byte[] payload) =>
        TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Icmp, TestFrames.IcmpEcho(IcmpType.EchoRequest, identifier, sequence, payload));

    [Fact]
    public void Echo_request_gets_a_reply_with_the_same_identifier_sequence_and_payload()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        byte[] payload = TestFrames.Pattern(56, start: 7);

        h.Deliver(EchoRequestFrame(0xBEEF, 42, payload));

        byte[] body = SentFrame.Icmp(h.TakeSingle(), out Ipv4Repr ip, out IcmpRepr icmp);
        Assert.Equal(StackIp, ip.Source);
        Assert.Equal(PeerIp, ip.Destination);
        Assert.Equal(h.Options.TimeToLive, ip.Ttl);
        Assert.Equal(IcmpType.EchoReply, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0xBEEF, icmp.EchoIdentifier);
        Assert.Equal(42, icmp.EchoSequence);
        Assert.Equal(payload, body);
        Assert.Equal(1, h.Statistics.EchoRepliesSent);
        h.Finish();
    }

    [Fact]
    public void Echo_reply_with_odd_length_payload_has_a_valid_checksum()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        byte[] payload = TestFrames.Pattern(1001, start: 200);

        h.Deliver(EchoRequestFrame(1, 2, payload));

        Assert.Equal(payload, SentFrame.Icmp(h.TakeSingle(), out _, out _));
        h.Finish();
    }

    [Fact]
    public void Echo_reply_to_an_unknown_sender_waits_for_arp()
    {
        using var h = new StackHarness();
        h.Deliver(EchoRequestFrame(5, 6, [1, 2, 3, 4]));
        Assert.Equal(PeerIp, SentFrame.Arp(h.TakeSingle(), out _).TargetIp);

        h.Deliver(TestFrames.Arp(ArpOperation.Reply, PeerMac, PeerIp, StackMac, StackIp));
        Assert.Equal([1, 2, 3, 4], SentFrame.Icmp(h.TakeSingle(), out _, out IcmpRepr icmp));
        Assert.Equal(IcmpType.EchoReply, icmp.Type);
        h.Finish();
    }

    [Fact]
    public void Echo_request_with_bad_checksum_is_counted_and_ignored()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        byte[] frame = EchoRequestFrame(1, 1, TestFrames.Pattern(32));
        frame[^1] ^= 0x40;
        var delta = new StatisticsDelta(h.Statistics);

        h.Deliver(frame);

        h.AssertNothingTransmitted();
        delta.AssertMoved((nameof(NetStackStatistics.FramesReceived), 1), (nameof(NetStackStatistics.BadChecksum), 1));
        h.Finish();
    }

    [Fact]
    public void Icmp_messages_other_than_echo_request_get_no_answer()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        var delta = new StatisticsDelta(h.Statistics);

        h.Deliver(TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Icmp, TestFrames.IcmpEcho(IcmpType.EchoReply, 1, 1, [1, 2])));

        h.AssertNothingTransmitted();
        delta.AssertMoved((nameof(NetStackStatistics.FramesReceived), 1));
        h.Finish();
    }

    [Fact]
    public void Udp_to_a_closed_port_gets_port_unreachable_quoting_the_original_datagram()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        byte[] frame = UdpFromPeer(5555, 9999, TestFrames.Pattern(40));
        byte[] original = frame[EthernetFrame.HeaderLength..];
        var delta = new StatisticsDelta(h.Statistics);

        h.Deliver(frame);

        byte[] body = SentFrame.Icmp(h.TakeSingle(), out Ipv4Repr ip, out IcmpRepr icmp);
        Assert.Equal(PeerIp, ip.Destination);
        Assert.Equal(StackIp, ip.Source);
        Assert.Equal(IcmpType.DestinationUnreachable, icmp.Type);
        Assert.Equal(3, icmp.Code);
        Assert.Equal(0u, icmp.RestOfHeader);
        Assert.Equal(original, body);
        delta.AssertMoved((nameof(NetStackStatistics.FramesReceived), 1), (nameof(NetStackStatistics.FramesSent), 1),
            (nameof(NetStackStatistics.UdpNoSocket), 1), (nameof(NetStackStatistics.PortUnreachableSent), 1));
        h.Finish();
    }

    [Fact]
    public void Port_unreachable_quotes_the_ip_packet_without_ethernet_padding()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        byte[] frame = UdpFromPeer(5555, 9999, [0xAB, 0xCD]);
        Assert.Equal(TestFrames.MinimumFrameLength, frame.Length); // 44 bytes of headers and data, padded
        int ipLength = Ipv4Packet.MinHeaderLength + UdpPacket.HeaderLength + 2;

        h.Deliver(frame);

        byte[] body = SentFrame.Icmp(h.TakeSingle(), out _, out _);
        Assert.Equal(frame.AsSpan(EthernetFrame.HeaderLength, ipLength).ToArray(), body);
        h.Finish();
    }

    [Fact]
    public void Port_unreachable_quote_is_capped_to_fit_576_bytes()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        byte[] frame = UdpFromPeer(5555, 9999, TestFrames.Pattern(1400));

        h.Deliver(frame);

        byte[] body = SentFrame.Icmp(h.TakeSingle(), out Ipv4Repr ip, out _);
        Assert.Equal(576, Ipv4Packet.MinHeaderLength + ip.PayloadLength);
        Assert.Equal(frame.AsSpan(EthernetFrame.HeaderLength, body.Length).ToArray(), body);
        h.Finish();
    }

    [Theory]
    [InlineData(255, 255, 255, 255)]
    [InlineData(10, 0, 0, 255)]
    public void Udp_to_a_closed_port_at_a_broadcast_address_gets_no_icmp_error(byte a, byte b, byte c, byte d)
    {
        using var h = new StackHarness();
        h.TeachPeer();
        var broadcast = new Ipv4Address(a, b, c, d);
        var delta = new StatisticsDelta(h.Statistics);

        h.Deliver(TestFrames.UdpFrame(MacAddress.Broadcast, PeerMac, PeerIp, 5555, broadcast, 9999, [1]));

        h.AssertNothingTransmitted();
        delta.AssertMoved((nameof(NetStackStatistics.FramesReceived), 1), (nameof(NetStackStatistics.UdpNoSocket), 1));
        h.Finish();
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(255, 255, 255, 255)]
    [InlineData(10, 0, 0, 255)]
    [InlineData(224, 0, 0, 1)]
    [InlineData(127, 0, 0, 1)]
    [InlineData(240, 0, 0, 1)]
    public void Udp_to_a_closed_port_from_a_source_that_is_not_one_host_gets_no_icmp_error(byte a, byte b, byte c, byte d)
    {
        using var h = new StackHarness();
        var source = new Ipv4Address(a, b, c, d);
        var delta = new StatisticsDelta(h.Statistics);

        h.Deliver(TestFrames.UdpFrame(StackMac, PeerMac, source, 68, StackIp, 9999, [1]));

        h.AssertNothingTransmitted();
        delta.AssertMoved((nameof(NetStackStatistics.FramesReceived), 1), (nameof(NetStackStatistics.UdpNoSocket), 1));
        h.Finish();
    }

    [Fact]
    public void Port_unreachable_is_rate_limited()
    {
        using var h = new StackHarness(o => o.IcmpErrorsPerSecond = 2);
        h.TeachPeer();

        for (int i = 0; i < 5; i++) Assert.True(h.Device.Inject(UdpFromPeer(5555, (ushort)(9000 + i), [1])));
        h.Poll();
        Assert.Equal(2, h.TakeTransmitted().Count);
        Assert.Equal(5, h.Statistics.UdpNoSocket);
        Assert.Equal(2, h.Statistics.PortUnreachableSent);

        // Two per second: half a second later there is room for exactly one more.
        h.PollAt(Instant.Zero + TimeSpan.FromMilliseconds(500));
        for (int i = 0; i < 3; i++) Assert.True(h.Device.Inject(UdpFromPeer(5555, 9000, [1])));
        h.Poll();
        Assert.Single(h.TakeTransmitted());
        Assert.Equal(3, h.Statistics.PortUnreachableSent);

        // After a long quiet spell the bucket holds at most one second's worth.
        h.PollAt(Instant.Zero + TimeSpan.FromSeconds(30)); // well within the 60 s ARP cache timeout
        for (int i = 0; i < 5; i++) Assert.True(h.Device.Inject(UdpFromPeer(5555, 9000, [1])));
        h.Poll();
        Assert.Equal(2, h.TakeTransmitted().Count);
        Assert.Equal(5, h.Statistics.PortUnreachableSent);
        h.Finish();
    }

    [Fact]
    public void Rate_limit_keeps_fractional_credit_between_refills()
    {
        using var h = new StackHarness(o => o.IcmpErrorsPerSecond = 2);
        h.TeachPeer();
        h.Deliver(UdpFromPeer(5555, 9000, [1]));
        h.Deliver(UdpFromPeer(5555, 9000, [1]));
        Assert.Equal(2, h.TakeTransmitted().Count);

        // 0.75 s earns 1.5 tokens: one is spent, the half carries over and completes at 1.0 s.
        h.PollAt(Instant.Zero + TimeSpan.FromMilliseconds(750));
        h.Deliver(UdpFromPeer(5555, 9000, [1]));
        h.Deliver(UdpFromPeer(5555, 9000, [1]));
        Assert.Single(h.TakeTransmitted());

        h.PollAt(Instant.Zero + TimeSpan.FromMilliseconds(1000));
        h.Deliver(UdpFromPeer(5555, 9000, [1]));
        Assert.Single(h.TakeTransmitted());
        Assert.Equal(4, h.Statistics.PortUnreachableSent);
        Assert.Equal(5, h.Statistics.UdpNoSocket);
        h.Finish();
    }
}

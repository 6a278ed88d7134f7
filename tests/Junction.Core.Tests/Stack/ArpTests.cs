using Junction.Stack;
using Junction.Stack.Udp;
using Junction.Wire;
using static Junction.Tests.Stack.StackHarness;

namespace Junction.Tests.Stack;

public sealed class ArpTests
{
    private static readonly Instant Start = Instant.Zero;

    [Fact]
    public void Answers_request_for_its_address_with_exact_reply_padded_to_60_bytes()
    {
        using var h = new StackHarness();
        var delta = new StatisticsDelta(h.Statistics);

        h.Deliver(TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, StackIp));

        byte[] expected =
        [
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // to the requester
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // from the stack
            0x08, 0x06,                         // ARP
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, // Ethernet / IPv4, 6 / 4
            0x00, 0x02,                         // reply
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 10, 0, 0, 1, // sender: the stack
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 10, 0, 0, 2, // target: the requester
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // padding to 60 bytes
        ];
        Assert.Equal(expected, h.TakeSingle());
        delta.AssertMoved((nameof(NetStackStatistics.FramesReceived), 1), (nameof(NetStackStatistics.FramesSent), 1),
            (nameof(NetStackStatistics.ArpRepliesSent), 1));
        h.Finish();
    }

    [Fact]
    public void Answers_request_sent_to_its_unicast_mac()
    {
        using var h = new StackHarness();
        h.Deliver(TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, StackIp, ethernetDestination: StackMac));

        ArpRepr reply = SentFrame.Arp(h.TakeSingle(), out MacAddress destination);
        Assert.Equal(PeerMac, destination);
        Assert.Equal(ArpOperation.Reply, reply.Operation);
        h.Finish();
    }

    [Fact]
    public void Ignores_request_for_another_address_and_does_not_learn_its_sender()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(4000);
        h.Deliver(TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, new Ipv4Address(10, 0, 0, 3)));
        h.AssertNothingTransmitted();
        Assert.Equal(0, h.Statistics.ArpRepliesSent);

        // RFC 826: a sender not yet cached is only added by a packet for us, so the stack still has to ask.
        Assert.True(socket.SendTo([1], PeerIp, 7));
        h.Poll();
        ArpRepr request = SentFrame.Arp(h.TakeSingle(), out MacAddress destination);
        Assert.Equal(MacAddress.Broadcast, destination);
        Assert.Equal(ArpOperation.Request, request.Operation);
        Assert.Equal(PeerIp, request.TargetIp);
        h.Finish();
    }

    [Fact]
    public void Learns_the_requester_and_sends_to_it_without_asking()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(4000);
        h.TeachPeer();

        Assert.True(socket.SendTo([1, 2, 3], PeerIp, 7));
        h.Poll();
        byte[] payload = SentFrame.Udp(h.TakeSingle(), out MacAddress destination, out Ipv4Repr ip, out _);
        Assert.Equal(PeerMac, destination);
        Assert.Equal(PeerIp, ip.Destination);
        Assert.Equal([1, 2, 3], payload);
        Assert.Equal(0, h.Statistics.ArpRequestsSent);
        h.Finish();
    }

    [Fact]
    public void Unknown_neighbour_gets_one_broadcast_request_and_parked_packets_leave_in_order_on_reply()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(4000);
        for (byte i = 1; i <= 3; i++) Assert.True(socket.SendTo([i], PeerIp, 7));
        h.Poll();

        byte[] requestFrame = h.TakeSingle();
        Assert.Equal(TestFrames.MinimumFrameLength, requestFrame.Length);
        Assert.All(requestFrame[(EthernetFrame.HeaderLength + ArpPacket.Length)..], b => Assert.Equal(0, b));
        ArpRepr request = SentFrame.Arp(requestFrame, out MacAddress destination);
        Assert.Equal(MacAddress.Broadcast, destination);
        Assert.Equal(ArpOperation.Request, request.Operation);
        Assert.Equal(StackMac, request.SenderMac);
        Assert.Equal(StackIp, request.SenderIp);
        Assert.Equal(MacAddress.Zero, request.TargetMac);
        Assert.Equal(PeerIp, request.TargetIp);
        Assert.Equal(1, h.Statistics.ArpRequestsSent);
        Assert.Equal(h.Now + h.Options.ArpRetryInterval, h.Stack.NextDeadline);

        h.Deliver(TestFrames.Arp(ArpOperation.Reply, PeerMac, PeerIp, StackMac, StackIp));

        List<byte[]> sent = h.TakeTransmitted();
        Assert.Equal(3, sent.Count);
        for (int i = 0; i < 3; i++)
        {
            byte[] payload = SentFrame.Udp(sent[i], out MacAddress to, out Ipv4Repr ip, out UdpRepr udp);
            Assert.Equal(PeerMac, to);
            Assert.Equal(PeerIp, ip.Destination);
            Assert.Equal(7, udp.DestinationPort);
            Assert.Equal([(byte)(i + 1)], payload);
        }
        Assert.Equal(0, h.Statistics.ArpUnresolvedDrops);
        Assert.Equal(Instant.Never, h.Stack.NextDeadline);
        h.Finish();
    }

    [Fact]
    public void Request_from_the_awaited_neighbour_also_releases_parked_packets()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(4000);
        Assert.True(socket.SendTo([9], PeerIp, 7));
        h.Poll();
        h.TakeSingle();

        h.Deliver(TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, StackIp));

        List<byte[]> sent = h.TakeTransmitted();
        Assert.Equal(2, sent.Count);
        Assert.Equal(ArpOperation.Reply, SentFrame.Arp(sent[1], out _).Operation);
        Assert.Equal([9], SentFrame.Udp(sent[0], out MacAddress to, out _, out _));
        Assert.Equal(PeerMac, to);
        h.Finish();
    }

    [Fact]
    public void Retries_every_interval_then_gives_up_and_counts_the_dropped_packets()
    {
        using var h = new StackHarness(o =>
        {
            o.ArpRetryInterval = TimeSpan.FromSeconds(1);
            o.ArpRequestAttempts = 3;
        });
        UdpSocket socket = h.Stack.UdpBind(4000);
        Assert.True(socket.SendTo([1], PeerIp, 7));
        Assert.True(socket.SendTo([2], PeerIp, 7));
        h.Poll();
        Assert.Equal(PeerIp, SentFrame.Arp(h.TakeSingle(), out _).TargetIp);

        h.PollAt(Start + TimeSpan.FromMilliseconds(999));
        h.AssertNothingTransmitted();
        Assert.Equal(Start + TimeSpan.FromSeconds(1), h.Stack.NextDeadline);

        h.PollAt(Start + TimeSpan.FromSeconds(1));
        Assert.Equal(PeerIp, SentFrame.Arp(h.TakeSingle(), out _).TargetIp);
        Assert.Equal(Start + TimeSpan.FromSeconds(2), h.Stack.NextDeadline);

        h.PollAt(Start + TimeSpan.FromSeconds(2));
        Assert.Equal(PeerIp, SentFrame.Arp(h.TakeSingle(), out _).TargetIp);
        Assert.Equal(3, h.Statistics.ArpRequestsSent);
        Assert.Equal(0, h.Statistics.ArpUnresolvedDrops);
        Assert.NotEqual(h.Pool.FrameCount, h.Pool.FreeCount);

        h.PollAt(Start + TimeSpan.FromSeconds(3));
        h.AssertNothingTransmitted();
        Assert.Equal(3, h.Statistics.ArpRequestsSent);
        Assert.Equal(2, h.Statistics.ArpUnresolvedDrops);
        Assert.Equal(h.Pool.FrameCount, h.Pool.FreeCount);
        Assert.Equal(Instant.Never, h.Stack.NextDeadline);

        // Given up, not blacklisted: the next packet asks again straight away.
        Assert.True(socket.SendTo([3], PeerIp, 7));
        h.Poll();
        Assert.Equal(PeerIp, SentFrame.Arp(h.TakeSingle(), out _).TargetIp);
        Assert.Equal(4, h.Statistics.ArpRequestsSent);
        h.Finish();
    }

    [Fact]
    public void Pending_queue_is_bounded_and_overflow_is_dropped_and_counted()
    {
        using var h = new StackHarness(o => o.ArpPendingPackets = 4);
        UdpSocket socket = h.Stack.UdpBind(4000);
        int accepted = 0;
        for (byte i = 1; i <= 6; i++) accepted += socket.SendTo([i], PeerIp, 7) ? 1 : 0;
        Assert.Equal(4, accepted);
        Assert.Equal(2, h.Statistics.ArpUnresolvedDrops);

        // The bound is across all addresses: another neighbour finds the queue full too.
        Assert.False(socket.SendTo([7], new Ipv4Address(10, 0, 0, 3), 7));
        Assert.Equal(3, h.Statistics.ArpUnresolvedDrops);

        h.Poll();
        Assert.Equal(PeerIp, SentFrame.Arp(h.TakeSingle(), out _).TargetIp);
        Assert.Equal(h.Pool.FrameCount - 4, h.Pool.FreeCount);

        h.Deliver(TestFrames.Arp(ArpOperation.Reply, PeerMac, PeerIp, StackMac, StackIp));
        List<byte[]> sent = h.TakeTransmitted();
        Assert.Equal(4, sent.Count);
        for (int i = 0; i < 4; i++) Assert.Equal([(byte)(i + 1)], SentFrame.Udp(sent[i], out _, out _, out _));
        h.Finish();
    }

    [Fact]
    public void Cache_entry_expires_after_the_timeout_and_a_new_request_goes_out()
    {
        using var h = new StackHarness(o => o.ArpCacheTimeout = TimeSpan.FromSeconds(10));
        UdpSocket socket = h.Stack.UdpBind(4000);
        h.TeachPeer();

        h.PollAt(Start + TimeSpan.FromSeconds(10) - TimeSpan.FromMicroseconds(1));
        Assert.True(socket.SendTo([1], PeerIp, 7));
        h.Poll();
        SentFrame.Udp(h.TakeSingle(), out MacAddress to, out _, out _);
        Assert.Equal(PeerMac, to);

        h.PollAt(Start + TimeSpan.FromSeconds(10));
        Assert.True(socket.SendTo([2], PeerIp, 7));
        h.Poll();
        ArpRepr request = SentFrame.Arp(h.TakeSingle(), out MacAddress destination);
        Assert.Equal(MacAddress.Broadcast, destination);
        Assert.Equal(PeerIp, request.TargetIp);

        h.Deliver(TestFrames.Arp(ArpOperation.Reply, PeerMac, PeerIp, StackMac, StackIp));
        Assert.Equal([2], SentFrame.Udp(h.TakeSingle(), out _, out _, out _));
        h.Finish();
    }

    [Fact]
    public void Reply_from_a_known_neighbour_updates_its_address()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(4000);
        h.TeachPeer();
        MacAddress moved = MacAddress.LocallyAdministered(0x22);
        // A gratuitous announcement (not for us) from a host we know: RFC 826 updates the entry.
        h.Deliver(TestFrames.Arp(ArpOperation.Reply, moved, PeerIp, MacAddress.Broadcast, PeerIp, ethernetDestination: MacAddress.Broadcast));
        h.AssertNothingTransmitted();

        Assert.True(socket.SendTo([1], PeerIp, 7));
        h.Poll();
        SentFrame.Udp(h.TakeSingle(), out MacAddress to, out _, out _);
        Assert.Equal(moved, to);
        h.Finish();
    }

    [Fact]
    public void Off_subnet_destination_resolves_the_gateway()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(4000);
        var remote = new Ipv4Address(192, 168, 5, 5);
        Assert.True(socket.SendTo([42], remote, 53));
        h.Poll();
        Assert.Equal(GatewayIp, SentFrame.Arp(h.TakeSingle(), out _).TargetIp);

        h.Deliver(TestFrames.Arp(ArpOperation.Reply, GatewayMac, GatewayIp, StackMac, StackIp));
        byte[] payload = SentFrame.Udp(h.TakeSingle(), out MacAddress to, out Ipv4Repr ip, out _);
        Assert.Equal(GatewayMac, to);
        Assert.Equal(remote, ip.Destination);
        Assert.Equal(StackIp, ip.Source);
        Assert.Equal([42], payload);
        h.Finish();
    }

    [Fact]
    public void Off_subnet_destination_without_gateway_is_dropped_and_counted()
    {
        using var h = new StackHarness(o => o.Gateway = Ipv4Address.Any);
        UdpSocket socket = h.Stack.UdpBind(4000);
        var delta = new StatisticsDelta(h.Statistics);

        Assert.False(socket.SendTo([42], new Ipv4Address(192, 168, 5, 5), 53));
        h.Poll();

        h.AssertNothingTransmitted();
        delta.AssertMoved((nameof(NetStackStatistics.ArpUnresolvedDrops), 1));
        h.Finish();
    }

    [Fact]
    public void Disposing_the_stack_releases_parked_packets()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(4000);
        for (byte i = 0; i < 5; i++) Assert.True(socket.SendTo([i], PeerIp, 7));
        h.Poll();
        Assert.Equal(h.Pool.FrameCount - 5 - 1, h.Pool.FreeCount); // five parked, one request waiting to be taken
        h.Finish();
    }
}

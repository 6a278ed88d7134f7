using System.Net.Sockets;
using Junction.Stack;
using Junction.Stack.Tcp;
using Junction.Stack.Udp;
using Junction.Wire;
using static Junction.Tests.Stack.StackHarness;

namespace Junction.Tests.Stack;

public sealed class UdpTests
{
    [Fact]
    public void Binds_an_explicit_port_and_refuses_it_twice_with_address_already_in_use()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(5000);
        Assert.Equal(5000, socket.LocalPort);
        Assert.Equal(StackIp, socket.LocalAddress);

        SocketException error = Assert.Throws<SocketException>(() => h.Stack.UdpBind(5000));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);

        socket.Dispose();
        using UdpSocket again = h.Stack.UdpBind(5000);
        Assert.Equal(5000, again.LocalPort);
        h.Finish();
    }

    [Fact]
    public void Binds_distinct_ephemeral_ports_in_the_ephemeral_range()
    {
        using var h = new StackHarness();
        TcpSettings tcp = h.Options.Tcp;
        var ports = new HashSet<ushort>();
        for (int i = 0; i < 50; i++)
        {
            ushort port = h.Stack.UdpBind().LocalPort;
            Assert.InRange(port, tcp.EphemeralPortFirst, tcp.EphemeralPortLast);
            Assert.NotEqual(0, port);
            Assert.True(ports.Add(port), $"port {port} handed out twice");
        }
        h.Finish();
    }

    [Fact]
    public void Ephemeral_bind_skips_explicitly_bound_ports_and_fails_when_the_range_is_exhausted()
    {
        using var h = new StackHarness(o =>
        {
            o.Tcp.EphemeralPortFirst = 40000;
            o.Tcp.EphemeralPortLast = 40002;
        });
        h.Stack.UdpBind(40001);
        var ports = new HashSet<ushort> { h.Stack.UdpBind().LocalPort, h.Stack.UdpBind().LocalPort };
        Assert.Equal([(ushort)40000, (ushort)40002], ports.Order());

        SocketException error = Assert.Throws<SocketException>(() => h.Stack.UdpBind());
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
        h.Finish();
    }

    [Fact]
    public void SendTo_produces_a_correct_datagram()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        UdpSocket socket = h.Stack.UdpBind(5000);
        byte[] payload = TestFrames.Pattern(333, start: 3);

        Assert.True(socket.SendTo(payload, PeerIp, 6000));
        h.AssertNothingTransmitted(); // frames leave on Poll
        h.Poll();

        byte[] frame = h.TakeSingle();
        Assert.Equal(EthernetFrame.HeaderLength + 20 + 8 + payload.Length, frame.Length);
        Assert.Equal(0x45, frame[14]);
        Assert.Equal(0x40, frame[20] & 0xE0); // DF, not MF
        byte[] received = SentFrame.Udp(frame, out MacAddress to, out Ipv4Repr ip, out UdpRepr udp);
        Assert.Equal(PeerMac, to);
        Assert.Equal(StackIp, ip.Source);
        Assert.Equal(PeerIp, ip.Destination);
        Assert.Equal(64, ip.Ttl);
        Assert.True(ip.DontFragment);
        Assert.Equal(5000, udp.SourcePort);
        Assert.Equal(6000, udp.DestinationPort);
        Assert.Equal(payload, received);
        Assert.Equal(2, h.Statistics.FramesSent); // the ARP reply from TeachPeer, then the datagram
        h.Finish();
    }

    [Fact]
    public void SendTo_the_broadcast_address_goes_to_the_broadcast_mac_without_arp()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(5000);

        Assert.True(socket.SendTo([1], SubnetBroadcast, 6000));
        Assert.True(socket.SendTo([2], Ipv4Address.Broadcast, 6000));
        h.Poll();

        List<byte[]> sent = h.TakeTransmitted();
        Assert.Equal(2, sent.Count);
        Assert.Equal([1], SentFrame.Udp(sent[0], out MacAddress to1, out Ipv4Repr ip1, out _));
        Assert.Equal([2], SentFrame.Udp(sent[1], out MacAddress to2, out Ipv4Repr ip2, out _));
        Assert.Equal(MacAddress.Broadcast, to1);
        Assert.Equal(MacAddress.Broadcast, to2);
        Assert.Equal(SubnetBroadcast, ip1.Destination);
        Assert.Equal(Ipv4Address.Broadcast, ip2.Destination);
        Assert.Equal(0, h.Statistics.ArpRequestsSent);
        h.Finish();
    }

    [Fact]
    public void Received_datagram_is_read_with_its_source_address_and_port()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(5000);
        var observer = new CountingObserver();
        socket.Observer = observer;
        byte[] payload = TestFrames.Pattern(100);

        h.Deliver(UdpFromPeer(7000, 5000, payload));
        h.Deliver(UdpFromPeer(7001, 5000, [9]));

        Assert.Equal(1, observer.Calls); // told once, when the queue stopped being empty
        Assert.Equal(2, socket.QueuedDatagrams);
        var buffer = new byte[2048];
        Assert.True(socket.TryReceiveFrom(buffer, out int copied, out int length, out Ipv4Address source, out ushort sourcePort));
        Assert.Equal(100, copied);
        Assert.Equal(100, length);
        Assert.Equal(PeerIp, source);
        Assert.Equal(7000, sourcePort);
        Assert.Equal(payload, buffer[..copied]);

        Assert.True(socket.TryReceiveFrom(buffer, out copied, out _, out _, out sourcePort));
        Assert.Equal(7001, sourcePort);
        Assert.Equal([9], buffer[..copied]);

        Assert.False(socket.TryReceiveFrom(buffer, out copied, out length, out _, out _));
        Assert.Equal(0, copied);
        Assert.Equal(0, length);
        h.AssertNothingTransmitted();
        h.Finish();
    }

    [Fact]
    public void Short_datagram_in_a_padded_frame_is_read_without_the_padding()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(5000);
        byte[] frame = UdpFromPeer(7000, 5000, [1, 2, 3]);
        frame.AsSpan(EthernetFrame.HeaderLength + 20 + 8 + 3).Fill(0xEE); // non-zero padding
        Assert.Equal(TestFrames.MinimumFrameLength, frame.Length);

        h.Deliver(frame);

        var buffer = new byte[64];
        Assert.True(socket.TryReceiveFrom(buffer, out int copied, out int length, out _, out _));
        Assert.Equal(3, length);
        Assert.Equal([1, 2, 3], buffer[..copied]);
        h.Finish();
    }

    [Fact]
    public void Datagram_without_checksum_is_accepted()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(5000);
        byte[] frame = UdpFromPeer(7000, 5000, [1, 2, 3, 4, 5]);
        TestFrames.Write16(frame, EthernetFrame.HeaderLength + 20 + 6, 0);

        h.Deliver(frame);

        Assert.Equal(1, socket.QueuedDatagrams);
        h.Finish();
    }

    [Fact]
    public void Broadcast_datagram_is_delivered_to_the_bound_port()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(67);

        h.Deliver(TestFrames.UdpFrame(MacAddress.Broadcast, PeerMac, PeerIp, 68, SubnetBroadcast, 67, [1]));
        h.Deliver(TestFrames.UdpFrame(MacAddress.Broadcast, PeerMac, PeerIp, 68, Ipv4Address.Broadcast, 67, [2]));

        Assert.Equal(2, socket.QueuedDatagrams);
        h.Finish();
    }

    [Fact]
    public void Truncated_read_reports_the_full_datagram_length_and_discards_the_rest()
    {
        using var h = new StackHarness();
        UdpSocket socket = h.Stack.UdpBind(5000);
        h.Deliver(UdpFromPeer(7000, 5000, TestFrames.Pattern(10)));
        h.Deliver(UdpFromPeer(7000, 5000, [77]));

        var small = new byte[4];
        Assert.True(socket.TryReceiveFrom(small, out int copied, out int length, out _, out _));
        Assert.Equal(4, copied);
        Assert.Equal(10, length);
        Assert.Equal([0, 1, 2, 3], small);

        Assert.True(socket.TryReceiveFrom(small, out copied, out length, out _, out _));
        Assert.Equal(1, copied);
        Assert.Equal(1, length);
        Assert.Equal(77, small[0]);
        h.Finish();
    }

    [Fact]
    public void Queue_overflow_is_dropped_and_counted()
    {
        using var h = new StackHarness(o => o.UdpReceiveQueueLength = 2);
        UdpSocket socket = h.Stack.UdpBind(5000);
        var delta = new StatisticsDelta(h.Statistics);

        for (byte i = 1; i <= 3; i++) h.Deliver(UdpFromPeer(7000, 5000, [i]));

        Assert.Equal(2, socket.QueuedDatagrams);
        Assert.Equal(1, socket.Dropped);
        delta.AssertMoved((nameof(NetStackStatistics.FramesReceived), 3), (nameof(NetStackStatistics.UdpQueueFullDrops), 1));
        h.AssertNothingTransmitted();
        // The dropped datagram's frame went back; the queued ones are still held.
        Assert.Equal(h.Pool.FrameCount - 2, h.Pool.FreeCount);

        var buffer = new byte[8];
        Assert.True(socket.TryReceiveFrom(buffer, out _, out _, out _, out _));
        Assert.Equal(1, buffer[0]);
        Assert.True(socket.TryReceiveFrom(buffer, out _, out _, out _, out _));
        Assert.Equal(2, buffer[0]);
        Assert.Equal(h.Pool.FrameCount, h.Pool.FreeCount);
        h.Finish();
    }

    [Fact]
    public void Oversize_datagram_throws_message_size_and_takes_no_frame()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        UdpSocket socket = h.Stack.UdpBind(5000);
        int largest = h.Stack.Mtu - 20 - 8;

        SocketException error = Assert.Throws<SocketException>(() => socket.SendTo(new byte[largest + 1], PeerIp, 6000));
        Assert.Equal(SocketError.MessageSize, error.SocketErrorCode);
        Assert.Equal(h.Pool.FrameCount, h.Pool.FreeCount);

        Assert.True(socket.SendTo(new byte[largest], PeerIp, 6000));
        h.Poll();
        Assert.Equal(EthernetFrame.HeaderLength + h.Stack.Mtu, h.TakeSingle().Length);
        h.Finish();
    }

    [Fact]
    public void Smaller_configured_mtu_limits_the_datagram_size()
    {
        using var h = new StackHarness(o => o.Mtu = 576);
        UdpSocket socket = h.Stack.UdpBind(5000);
        Assert.Equal(576, h.Stack.Mtu);

        SocketException error = Assert.Throws<SocketException>(() => socket.SendTo(new byte[549], PeerIp, 6000));
        Assert.Equal(SocketError.MessageSize, error.SocketErrorCode);
        Assert.True(socket.SendTo(new byte[548], PeerIp, 6000));
        h.Finish();
    }

    [Fact]
    public void Dispose_releases_queued_frames_and_unbinds_the_port()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        UdpSocket socket = h.Stack.UdpBind(5000);
        for (byte i = 0; i < 3; i++) h.Deliver(UdpFromPeer(7000, 5000, [i]));
        Assert.Equal(h.Pool.FrameCount - 3, h.Pool.FreeCount);

        socket.Dispose();
        Assert.Equal(h.Pool.FrameCount, h.Pool.FreeCount);
        Assert.Throws<ObjectDisposedException>(() => socket.SendTo([1], PeerIp, 7000));
        Assert.Throws<ObjectDisposedException>(() => socket.TryReceiveFrom(new byte[8], out _, out _, out _, out _));

        h.Deliver(UdpFromPeer(7000, 5000, [4]));
        Assert.Equal(1, h.Statistics.UdpNoSocket);
        Assert.Equal(1, h.Statistics.PortUnreachableSent);
        h.Finish();
    }

    [Fact]
    public void Disposing_the_stack_releases_datagrams_still_queued_on_open_sockets()
    {
        using var h = new StackHarness();
        UdpSocket first = h.Stack.UdpBind(5000);
        UdpSocket second = h.Stack.UdpBind(5001);
        h.Deliver(UdpFromPeer(7000, 5000, [1]));
        h.Deliver(UdpFromPeer(7000, 5001, [2]));
        Assert.Equal(1, first.QueuedDatagrams);
        Assert.Equal(1, second.QueuedDatagrams);
        h.Finish();
    }

    private sealed class CountingObserver : IUdpObserver
    {
        public int Calls { get; private set; }

        public void OnReadable(UdpSocket socket) => Calls++;
    }
}

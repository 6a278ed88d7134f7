using System.Net;
using System.Net.Sockets;
using System.Text;
using Junction.Devices;
using Junction.Devices.Xdp;
using Junction.Wire;

namespace Junction.Interop.Tests.Xdp;

public sealed class XdpDeviceTests
{
    private static readonly Ipv4Address Instance = new(10, 77, 0, 10);

    [Theory]
    [InlineData(XdpAttachMode.Native, XdpMode.NativeCopy)]
    [InlineData(XdpAttachMode.Generic, XdpMode.GenericCopy)]
    public void Linux_arp_request_and_udp_datagram_arrive_and_the_arp_reply_the_device_sends_resolves_it(XdpAttachMode attach, XdpMode expected)
    {
        using var veth = new VethPair();
        XdpDeviceOptions options = veth.Options(Instance);
        options.AttachMode = attach;
        using var device = XdpDevice.Open(options);
        Assert.Equal(expected, device.Mode);
        Assert.Equal(VethPair.DeviceMac, device.MacAddress);
        using Socket peer = veth.InPeer(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        byte[] payload = Encoding.ASCII.GetBytes("hello from the Linux side");

        // The peer's kernel must first resolve the instance's address: its ARP request is steered to the device.
        peer.SendTo(payload, new IPEndPoint(Instance.ToIPAddress(), 7777));
        byte[] request = XdpFrames.ReceiveMatching(device, XdpFrames.IsArp);
        Assert.Equal(WireError.None, ArpPacket.TryParse(request.AsSpan(EthernetFrame.HeaderLength), out ArpRepr arp));
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(Instance, arp.TargetIp);
        Assert.Equal(VethPair.PeerAddress, arp.SenderIp);
        Assert.Equal(VethPair.PeerMac, arp.SenderMac);

        byte[] reply = XdpFrames.Arp(ArpOperation.Reply, arp.SenderMac, device.MacAddress, Instance, arp.SenderMac, arp.SenderIp);
        Assert.Equal(1, device.Transmit([XdpFrames.Rent(device.Pool, reply)]));

        // Only a resolved neighbour lets the queued datagram go: its arrival proves the reply reached Linux.
        byte[] datagram = XdpFrames.ReceiveMatching(device, XdpFrames.IsIpv4);
        Assert.True(XdpFrames.TryReadUdp(datagram, out Ipv4Address source, out Ipv4Address destination, out ushort port, out byte[] received));
        Assert.Equal(VethPair.PeerAddress, source);
        Assert.Equal(Instance, destination);
        Assert.Equal(7777, port);
        Assert.Equal(payload, received);
        Assert.Equal(VethPair.DeviceMac, MacAddress.Read(datagram));
    }

    [Fact]
    public void Udp_datagrams_the_device_transmits_reach_a_linux_socket_also_from_a_foreign_pool()
    {
        using var veth = new VethPair();
        using var device = XdpDevice.Open(veth.Options(Instance));
        using Socket peer = veth.InPeer(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(VethPair.PeerAddress.ToIPAddress(), 9000));
            return socket;
        });
        peer.ReceiveTimeout = (int)XdpFrames.Patience.TotalMilliseconds;
        using var foreignPool = new FramePool(4);

        byte[] first = XdpFrames.Udp(VethPair.PeerMac, device.MacAddress, Instance, VethPair.PeerAddress, 5000, 9000, "from the UMEM"u8);
        byte[] second = XdpFrames.Udp(VethPair.PeerMac, device.MacAddress, Instance, VethPair.PeerAddress, 5001, 9000, "copied in from another pool"u8);
        Assert.Equal(2, device.Transmit([XdpFrames.Rent(device.Pool, first), XdpFrames.Rent(foreignPool, second)]));

        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int length = peer.ReceiveFrom(buffer, ref from);
        Assert.Equal("from the UMEM", Encoding.ASCII.GetString(buffer, 0, length));
        Assert.Equal(new IPEndPoint(Instance.ToIPAddress(), 5000), from);
        length = peer.ReceiveFrom(buffer, ref from);
        Assert.Equal("copied in from another pool", Encoding.ASCII.GetString(buffer, 0, length));
        Assert.Equal(new IPEndPoint(Instance.ToIPAddress(), 5001), from);

        Assert.Equal(2, device.Statistics.FramesTransmitted);
        Assert.Equal(1, device.Statistics.FramesCopiedForTransmit);
        Assert.Equal(foreignPool.FrameCount, foreignPool.FreeCount);
    }

    [Fact]
    public void Frames_for_other_addresses_pass_to_the_kernel_which_still_answers_its_own_address()
    {
        using var veth = new VethPair();
        using var device = XdpDevice.Open(veth.Options(Instance));

        (int exitCode, string output) = veth.ExecInPeer("ping", "-c", "3", "-i", "0.2", "-W", "5", VethPair.HostAddress.ToString());

        Assert.True(exitCode == 0, "ping to the Linux host on the XDP interface failed: " + output);
        Assert.Contains("3 received", output, StringComparison.Ordinal);
        Assert.Empty(XdpFrames.DrainReady(device));
        Assert.Equal(0, device.Statistics.FramesReceived);
    }

    [Fact]
    public void Veth_refuses_zero_copy_and_the_fallback_is_logged()
    {
        using var veth = new VethPair();
        var log = new List<string>();
        XdpDeviceOptions options = veth.Options(Instance);
        options.Log = log.Add;
        using (var device = XdpDevice.Open(options))
        {
            Assert.Equal(XdpMode.NativeCopy, device.Mode);
            Assert.True(device.Port.Interface.IsNativeMode);
        }
        Assert.Contains(log, line => line.Contains("zero-copy refused", StringComparison.Ordinal));

        options.CopyMode = XdpCopyMode.ZeroCopy;
        XdpException refused = Assert.Throws<XdpException>(() => XdpDevice.Open(options));
        Assert.Contains("refused zero-copy", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wait_for_frames_returns_false_when_idle_and_true_once_a_frame_arrives()
    {
        using var veth = new VethPair();
        using var device = XdpDevice.Open(veth.Options(Instance));
        veth.AddPeerNeighbours([Instance]);
        using Socket peer = veth.InPeer(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));

        Assert.False(device.WaitForFrames(TimeSpan.FromMilliseconds(50)));
        peer.SendTo("wake up"u8.ToArray(), new IPEndPoint(Instance.ToIPAddress(), 7));

        Assert.True(device.WaitForFrames(XdpFrames.Patience));
        List<byte[]> frames = XdpFrames.DrainReady(device);
        Assert.Single(frames);
        Assert.True(XdpFrames.TryReadUdp(frames[0], out _, out _, out _, out byte[] payload));
        Assert.Equal("wake up"u8.ToArray(), payload);
    }

    [Fact]
    public void Every_frame_is_back_in_the_pool_after_traffic_and_dispose()
    {
        using var veth = new VethPair();
        XdpDeviceOptions options = veth.Options(Instance);
        using XdpInterface xdp = XdpInterface.Open(options);
        XdpPort port = xdp.OpenPort(0);
        FramePool pool = port.Pool;
        XdpDevice reader = port.AddDevice(Instance);
        XdpDevice unread = port.AddDevice(new Ipv4Address(10, 77, 0, 11));
        veth.AddPeerNeighbours([Instance, new Ipv4Address(10, 77, 0, 11)]);
        using Socket peer = veth.InPeer(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        for (int i = 0; i < 20; i++)
        {
            peer.SendTo(new byte[100], new IPEndPoint(Instance.ToIPAddress(), 7));
            peer.SendTo(new byte[100], new IPEndPoint(new IPAddress([10, 77, 0, 11]), 7));
        }

        // One lease kept by the "application", the rest released; the second device never reads its frames.
        Frame kept = default;
        int received = 0;
        var batch = new Frame[8];
        while (received < 20)
        {
            Assert.True(reader.WaitForFrames(XdpFrames.Patience), $"received {received} of 20");
            int count = reader.Receive(batch);
            for (int i = 0; i < count; i++)
            {
                if (kept.IsEmpty) kept = batch[i];
                else batch[i].Release();
            }
            received += count;
        }
        Assert.True(unread.WaitForFrames(XdpFrames.Patience));
        Assert.Equal(pool.FrameCount, pool.FreeCount + port.FramesHeldByKernel + 1);

        // A device closed with frames in its RX ring gives them back.
        unread.Dispose();
        Assert.Equal(pool.FrameCount, pool.FreeCount + port.FramesHeldByKernel + 1);

        reader.Dispose();
        port.Dispose();
        Assert.Equal(pool.FrameCount - 1, pool.FreeCount);
        kept.Release();
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }

    [Fact]
    public void Opening_a_missing_interface_says_so_in_one_sentence()
    {
        using var veth = new VethPair();
        XdpDeviceOptions options = veth.Options(Instance);
        options.InterfaceName = "jxmissing";

        XdpException error = Assert.Throws<XdpException>(() => XdpDevice.Open(options));

        Assert.Equal(Interop.Errno.ENODEV, error.Errno);
        Assert.Contains("'jxmissing' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("ip link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_steered_to_one_device_cannot_be_steered_to_another_on_the_same_queue()
    {
        using var veth = new VethPair();
        using XdpInterface xdp = XdpInterface.Open(veth.Options(Instance));
        XdpPort port = xdp.OpenPort(0);
        using XdpDevice first = port.AddDevice(Instance);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => port.AddDevice(new Ipv4Address(10, 77, 0, 12), Instance));

        Assert.Contains("already steered", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, port.DeviceCount);
        // The failed device's first address was rolled back, so it can be used now.
        using XdpDevice second = port.AddDevice(new Ipv4Address(10, 77, 0, 12));
        Assert.Equal(2, port.DeviceCount);
    }

    [Fact]
    public void Receiving_and_transmitting_allocate_nothing_per_frame()
    {
        const int Datagrams = 200;
        using var veth = new VethPair();
        using var device = XdpDevice.Open(veth.Options(Instance));
        veth.AddPeerNeighbours([Instance]);
        using Socket peer = veth.InPeer(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(VethPair.PeerAddress.ToIPAddress(), 9000));
            return socket;
        });
        peer.ReceiveTimeout = (int)XdpFrames.Patience.TotalMilliseconds;
        var batch = new Frame[32];
        var buffer = new byte[2048];
        var target = new IPEndPoint(Instance.ToIPAddress(), 7);

        long allocated = 0;
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < Datagrams; i++) peer.SendTo(buffer.AsSpan(0, 64), target);
            // The second round is measured: the first one paid for JIT compilation and first calls.
            long before = GC.GetAllocatedBytesForCurrentThread();
            int echoed = 0;
            while (echoed < Datagrams && device.WaitForFrames(XdpFrames.Patience)) echoed += XdpEcho.EchoReady(device, batch);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(Datagrams, echoed);
            for (int i = 0; i < Datagrams; i++) Assert.Equal(64, peer.Receive(buffer));
        }

        Assert.Equal(0, allocated);
        Assert.Equal(2 * Datagrams, device.Statistics.FramesReceived);
        Assert.Equal(2 * Datagrams, device.Statistics.FramesTransmitted);
    }
}

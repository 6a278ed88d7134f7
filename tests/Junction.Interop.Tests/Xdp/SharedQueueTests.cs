using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Junction.Devices;
using Junction.Devices.Xdp;
using Junction.Wire;

namespace Junction.Interop.Tests.Xdp;

public sealed unsafe class SharedQueueTests
{
    private const int Instances = 64;
    private const int DatagramsEach = 8;

    private static Ipv4Address InstanceAddress(int i) => new(10, 77, 1, (byte)(i + 1));

    [Fact]
    public void Sixty_four_devices_on_one_queue_each_receive_only_their_own_frames_woken_by_one_epoll()
    {
        using var veth = new VethPair();
        XdpDeviceOptions options = veth.Options();
        options.RxRingSize = 64;
        options.TxRingSize = 64;
        using XdpInterface xdp = XdpInterface.Open(options);
        XdpPort port = xdp.OpenPort(0);
        var devices = new XdpDevice[Instances];
        for (int i = 0; i < Instances; i++) devices[i] = port.AddDevice(InstanceAddress(i));
        veth.AddPeerNeighbours(Enumerable.Range(0, Instances).Select(InstanceAddress));
        using Socket peer = veth.InPeer(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));

        int epoll = Libc.EpollCreate1(Libc.EPOLL_CLOEXEC);
        Assert.True(epoll >= 0, $"epoll_create1: errno {Errno.Last}");
        try
        {
            for (int i = 0; i < Instances; i++) AddToEpoll(epoll, devices[i].SocketFileDescriptor, (ulong)i);
            var payload = new byte[4];
            for (int round = 0; round < DatagramsEach; round++)
            {
                for (int i = 0; i < Instances; i++)
                {
                    BinaryPrimitives.WriteInt32BigEndian(payload, i);
                    peer.SendTo(payload, new IPEndPoint(InstanceAddress(i).ToIPAddress(), 7000 + round));
                }
            }

            var received = new List<(Ipv4Address Destination, int Tag, int Port)>[Instances];
            for (int i = 0; i < Instances; i++) received[i] = [];
            int total = 0;
            var batch = new Frame[32];
            var deadline = DateTime.UtcNow + XdpFrames.Patience;
            while (total < Instances * DatagramsEach && DateTime.UtcNow < deadline)
            {
                foreach (int ready in WaitEpoll(epoll))
                {
                    XdpDevice device = devices[ready];
                    int count;
                    while ((count = device.Receive(batch)) > 0)
                    {
                        for (int f = 0; f < count; f++)
                        {
                            byte[] frame = batch[f].Span.ToArray();
                            batch[f].Release();
                            Assert.True(XdpFrames.TryReadUdp(frame, out _, out Ipv4Address destination, out ushort destinationPort, out byte[] data), "not a UDP frame");
                            received[ready].Add((destination, BinaryPrimitives.ReadInt32BigEndian(data), destinationPort));
                            total++;
                        }
                    }
                }
            }

            for (int i = 0; i < Instances; i++)
            {
                Assert.Equal(DatagramsEach, received[i].Count);
                Assert.All(received[i], r => Assert.Equal((InstanceAddress(i), i), (r.Destination, r.Tag)));
                Assert.Equal(Enumerable.Range(7000, DatagramsEach), received[i].Select(r => r.Port).Order());
            }
        }
        finally
        {
            Libc.Close(epoll);
        }

        FramePool pool = port.Pool;
        foreach (XdpDevice device in devices) device.Dispose();
        Assert.Equal(0, port.DeviceCount);
        port.Dispose();
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }

    [Fact]
    public void Devices_on_two_queues_of_one_interface_share_an_address_and_together_receive_every_frame()
    {
        const int Senders = 32;
        using var veth = new VethPair(queues: 2);
        Ipv4Address instance = InstanceAddress(0);
        using XdpInterface xdp = XdpInterface.Open(veth.Options());
        XdpDevice[] devices = [xdp.OpenPort(0).AddDevice(instance), xdp.OpenPort(1).AddDevice(instance)];
        veth.AddPeerNeighbours([instance]);
        // Each socket gets its own random transmit hash, so the peer spreads them over its two TX queues (veth: RX queue = peer's TX queue).
        Socket[] senders = veth.InPeer(() => Enumerable.Range(0, Senders).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)).ToArray());
        try
        {
            for (int i = 0; i < Senders; i++) senders[i].SendTo(BitConverter.GetBytes(i), new IPEndPoint(instance.ToIPAddress(), 7000));

            int[] perQueue = new int[2];
            var tags = new HashSet<int>();
            var deadline = DateTime.UtcNow + XdpFrames.Patience;
            while (tags.Count < Senders && DateTime.UtcNow < deadline)
            {
                for (int q = 0; q < 2; q++)
                {
                    foreach (byte[] frame in XdpFrames.DrainReady(devices[q]))
                    {
                        Assert.True(XdpFrames.TryReadUdp(frame, out _, out Ipv4Address destination, out _, out byte[] data));
                        Assert.Equal(instance, destination);
                        Assert.True(tags.Add(BitConverter.ToInt32(data)));
                        perQueue[q]++;
                    }
                }
                Thread.Sleep(1);
            }

            Assert.Equal(Senders, tags.Count);
            Assert.All(perQueue, count => Assert.True(count > 0, $"a queue received nothing: {perQueue[0]} / {perQueue[1]}"));
            Assert.Equal(0, devices[0].QueueId);
            Assert.Equal(1, devices[1].QueueId);
        }
        finally
        {
            foreach (Socket socket in senders) socket.Dispose();
        }
    }

    private static void AddToEpoll(int epoll, int fd, ulong data)
    {
        int result;
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            var ev = new Libc.EpollEventPacked { Events = Libc.EPOLLIN, Data = data };
            result = Libc.EpollCtl(epoll, Libc.EPOLL_CTL_ADD, fd, &ev);
        }
        else
        {
            var ev = new Libc.EpollEventAligned { Events = Libc.EPOLLIN, Data = data };
            result = Libc.EpollCtl(epoll, Libc.EPOLL_CTL_ADD, fd, &ev);
        }
        Assert.True(result == 0, $"epoll_ctl: errno {Errno.Last}");
    }

    private static List<int> WaitEpoll(int epoll)
    {
        var ready = new List<int>();
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Libc.EpollEventPacked* events = stackalloc Libc.EpollEventPacked[Instances];
            int count = Libc.EpollWait(epoll, events, Instances, 100);
            for (int i = 0; i < count; i++) ready.Add((int)events[i].Data);
        }
        else
        {
            Libc.EpollEventAligned* events = stackalloc Libc.EpollEventAligned[Instances];
            int count = Libc.EpollWait(epoll, events, Instances, 100);
            for (int i = 0; i < count; i++) ready.Add((int)events[i].Data);
        }
        return ready;
    }
}

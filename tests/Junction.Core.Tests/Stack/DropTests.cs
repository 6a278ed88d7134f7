using Junction.Stack;
using Junction.Stack.Udp;
using Junction.Wire;
using static Junction.Tests.Stack.StackHarness;

namespace Junction.Tests.Stack;

/// <summary>Every kind of bad or unwanted frame is counted under its cause and dropped: no exception, no reply, no leak.</summary>
public sealed class DropTests
{
    private const int Ip = EthernetFrame.HeaderLength;          // where the IPv4 header starts
    private const int L4 = EthernetFrame.HeaderLength + 20;     // where the UDP/TCP/ICMP header starts
    private const ushort BoundPort = 5000;

    public static TheoryData<string, string> Cases => new()
    {
        { "ethernet header cut short", nameof(NetStackStatistics.Malformed) },
        { "another host's mac", nameof(NetStackStatistics.NotForUs) },
        { "multicast mac", nameof(NetStackStatistics.NotForUs) },
        { "unknown ethertype", nameof(NetStackStatistics.Unsupported) },
        { "ipv6", nameof(NetStackStatistics.Unsupported) },
        { "arp cut short", nameof(NetStackStatistics.Malformed) },
        { "arp for another hardware type", nameof(NetStackStatistics.Unsupported) },
        { "ipv4 header cut short", nameof(NetStackStatistics.Malformed) },
        { "ipv4 version 6", nameof(NetStackStatistics.Malformed) },
        { "ipv4 header length below 20", nameof(NetStackStatistics.Malformed) },
        { "ipv4 header length past the frame", nameof(NetStackStatistics.Malformed) },
        { "ipv4 total length past the frame", nameof(NetStackStatistics.Malformed) },
        { "ipv4 total length below the header", nameof(NetStackStatistics.Malformed) },
        { "bad ipv4 checksum", nameof(NetStackStatistics.BadChecksum) },
        { "first fragment", nameof(NetStackStatistics.FragmentsDropped) },
        { "later fragment", nameof(NetStackStatistics.FragmentsDropped) },
        { "another host's ip", nameof(NetStackStatistics.NotForUs) },
        { "unknown ip protocol", nameof(NetStackStatistics.Unsupported) },
        { "tcp to a broadcast address", nameof(NetStackStatistics.Unsupported) },
        { "icmp to a broadcast address", nameof(NetStackStatistics.Unsupported) },
        { "bad udp checksum", nameof(NetStackStatistics.BadChecksum) },
        { "udp header cut short", nameof(NetStackStatistics.Malformed) },
        { "udp length past the packet", nameof(NetStackStatistics.Malformed) },
        { "udp length below 8", nameof(NetStackStatistics.Malformed) },
        { "bad tcp checksum", nameof(NetStackStatistics.BadChecksum) },
        { "tcp header cut short", nameof(NetStackStatistics.Malformed) },
        { "tcp data offset below 5", nameof(NetStackStatistics.Malformed) },
        { "tcp data offset past the segment", nameof(NetStackStatistics.Malformed) },
        { "icmp header cut short", nameof(NetStackStatistics.Malformed) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_frame_is_counted_once_under_its_cause_and_dropped(string kind, string counter)
    {
        using var h = new StackHarness();
        h.TeachPeer();
        UdpSocket socket = h.Stack.UdpBind(BoundPort);
        byte[] frame = Build(kind);
        var delta = new StatisticsDelta(h.Statistics);

        h.Deliver(frame);

        delta.AssertMoved((nameof(NetStackStatistics.FramesReceived), 1), (counter, 1));
        h.AssertNothingTransmitted();
        Assert.Equal(0, socket.QueuedDatagrams);
        Assert.Equal(h.Pool.FrameCount, h.Pool.FreeCount);
        h.Finish();
    }

    [Fact]
    public void Every_case_starts_from_a_frame_the_stack_accepts()
    {
        // The cases are small edits of these frames; unedited, each one is delivered or answered.
        using var h = new StackHarness();
        h.TeachPeer();
        UdpSocket socket = h.Stack.UdpBind(BoundPort);

        h.Deliver(ValidUdp());
        Assert.Equal(1, socket.QueuedDatagrams);
        h.Deliver(ValidEcho());
        Assert.Equal(1, h.Statistics.EchoRepliesSent);
        h.Deliver(TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, StackIp));
        Assert.Equal(2, h.Statistics.ArpRepliesSent);
        var delta = new StatisticsDelta(h.Statistics);
        h.Deliver(ValidTcp());
        Assert.Equal(0, delta.Changed(nameof(NetStackStatistics.Malformed)) + delta.Changed(nameof(NetStackStatistics.BadChecksum)) +
            delta.Changed(nameof(NetStackStatistics.Unsupported)) + delta.Changed(nameof(NetStackStatistics.NotForUs)));
        h.Finish();
    }

    [Fact]
    public void Random_garbage_and_mutated_frames_never_throw_and_leak_nothing()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        using UdpSocket socket = h.Stack.UdpBind(BoundPort);
        var random = new Random(1234);
        byte[][] seeds = [ValidUdp(), ValidEcho(), ValidTcp(), TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, StackIp)];
        var buffer = new byte[2048];
        const int Frames = 5000;

        for (int i = 0; i < Frames; i++)
        {
            byte[] frame;
            if (i % 5 == 0)
            {
                frame = new byte[random.Next(0, 200)];
                random.NextBytes(frame);
                if (frame.Length >= 6) StackMac.Write(frame);
            }
            else
            {
                byte[] seed = seeds[random.Next(seeds.Length)];
                frame = seed[..random.Next(EthernetFrame.HeaderLength, seed.Length + 1)];
                int flips = random.Next(1, 4);
                for (int f = 0; f < flips; f++) frame[random.Next(6, frame.Length)] ^= (byte)random.Next(1, 256);
            }
            h.Deliver(frame);
            h.TakeTransmitted();
            while (socket.TryReceiveFrom(buffer, out _, out _, out _, out _)) { }
        }

        Assert.Equal(Frames + 1, h.Statistics.FramesReceived);
        Assert.True(h.Statistics.Malformed + h.Statistics.BadChecksum + h.Statistics.Unsupported > Frames / 2);
        h.Finish();
    }

    private static byte[] ValidUdp() => UdpFromPeer(7000, BoundPort, TestFrames.Pattern(24));

    private static byte[] ValidEcho() =>
        TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Icmp, TestFrames.IcmpEcho(IcmpType.EchoRequest, 1, 1, TestFrames.Pattern(24)));

    private static byte[] ValidTcp() =>
        TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Tcp, TestFrames.Tcp(PeerIp, StackIp, 7000, 80, TcpFlags.Ack, TestFrames.Pattern(10)));

    private static byte[] WithIpHeader(byte[] frame, Action<byte[]> edit, bool refreshChecksum = true)
    {
        edit(frame);
        if (refreshChecksum) TestFrames.RefreshIpv4Checksum(frame);
        return frame;
    }

    private static byte[] Build(string kind) => kind switch
    {
        "ethernet header cut short" => ValidUdp()[..13],
        "another host's mac" => TestFrames.UdpFrame(MacAddress.LocallyAdministered(99), PeerMac, PeerIp, 7000, StackIp, BoundPort, [1]),
        "multicast mac" => TestFrames.UdpFrame(new MacAddress(0x01005E000001), PeerMac, PeerIp, 7000, StackIp, BoundPort, [1]),
        "unknown ethertype" => TestFrames.Ethernet(StackMac, PeerMac, 0x88B5, TestFrames.Pattern(46)),
        "ipv6" => TestFrames.Ethernet(StackMac, PeerMac, EtherType.Ipv6, TestFrames.Pattern(60)),
        "arp cut short" => TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, StackIp)[..(EthernetFrame.HeaderLength + ArpPacket.Length - 1)],
        "arp for another hardware type" => WithIpHeader(TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, StackIp), f => f[Ip + 1] = 6, refreshChecksum: false),
        "ipv4 header cut short" => ValidUdp()[..(Ip + 19)],
        "ipv4 version 6" => WithIpHeader(ValidUdp(), f => f[Ip] = 0x65),
        "ipv4 header length below 20" => WithIpHeader(ValidUdp(), f => f[Ip] = 0x44, refreshChecksum: false),
        "ipv4 header length past the frame" => WithIpHeader(ValidUdp()[..(Ip + 40)], f => { f[Ip] = 0x4F; TestFrames.Write16(f, Ip + 2, 40); }, refreshChecksum: false),
        "ipv4 total length past the frame" => WithIpHeader(ValidUdp(), f => TestFrames.Write16(f, Ip + 2, 200)),
        "ipv4 total length below the header" => WithIpHeader(ValidUdp(), f => TestFrames.Write16(f, Ip + 2, 19)),
        "bad ipv4 checksum" => WithIpHeader(ValidUdp(), f => f[Ip + 8] ^= 1, refreshChecksum: false), // TTL changed, checksum not
        "first fragment" => WithIpHeader(ValidUdp(), f => TestFrames.Write16(f, Ip + 6, 0x2000)),
        "later fragment" => WithIpHeader(ValidUdp(), f => TestFrames.Write16(f, Ip + 6, 0x0003)),
        "another host's ip" => TestFrames.UdpFrame(StackMac, PeerMac, PeerIp, 7000, new Ipv4Address(10, 0, 0, 9), BoundPort, [1]),
        "unknown ip protocol" => TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, 47, TestFrames.Pattern(24)),
        "tcp to a broadcast address" => TestFrames.Ipv4Frame(MacAddress.Broadcast, PeerMac, PeerIp, SubnetBroadcast, IpProtocol.Tcp,
            TestFrames.Tcp(PeerIp, SubnetBroadcast, 7000, 80, TcpFlags.Syn)),
        "icmp to a broadcast address" => TestFrames.Ipv4Frame(MacAddress.Broadcast, PeerMac, PeerIp, Ipv4Address.Broadcast, IpProtocol.Icmp,
            TestFrames.IcmpEcho(IcmpType.EchoRequest, 1, 1, [1, 2])),
        "bad udp checksum" => WithIpHeader(ValidUdp(), f => f[L4 + 8] ^= 0x10, refreshChecksum: false),
        "udp header cut short" => TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Udp, TestFrames.Pattern(7)),
        "udp length past the packet" => WithIpHeader(ValidUdp(), f => TestFrames.Write16(f, L4 + 4, 8 + 25), refreshChecksum: false),
        "udp length below 8" => WithIpHeader(ValidUdp(), f => TestFrames.Write16(f, L4 + 4, 7), refreshChecksum: false),
        "bad tcp checksum" => WithIpHeader(ValidTcp(), f => f[^1] ^= 0x80, refreshChecksum: false),
        "tcp header cut short" => TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Tcp, TestFrames.Tcp(PeerIp, StackIp, 7000, 80, TcpFlags.Ack).AsSpan(0, 19)),
        "tcp data offset below 5" => TcpWithDataOffset(4),
        "tcp data offset past the segment" => TcpWithDataOffset(15),
        "icmp header cut short" => TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Icmp, [8, 0, 0xF7, 0xFF, 0, 0, 0]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown case"),
    };

    /// <summary>A 20-byte segment whose data offset is edited (checksum recomputed, so only the offset is wrong).</summary>
    private static byte[] TcpWithDataOffset(int words)
    {
        byte[] segment = TestFrames.Tcp(PeerIp, StackIp, 7000, 80, TcpFlags.Ack, TestFrames.Pattern(4));
        segment[12] = (byte)(words << 4);
        TcpPacket.FillChecksum(segment, PeerIp, StackIp);
        return TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Tcp, segment);
    }
}

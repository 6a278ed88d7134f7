using System.Buffers.Binary;
using System.Diagnostics;
using Junction.Devices;
using Junction.Devices.Xdp;
using Junction.Wire;

namespace Junction.Interop.Tests.Xdp;

/// <summary>Builds and reads the frames the AF_XDP tests exchange with Linux.</summary>
internal static class XdpFrames
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static byte[] Udp(MacAddress destinationMac, MacAddress sourceMac, Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength + UdpPacket.HeaderLength + payload.Length];
        EthernetFrame.Emit(frame, destinationMac, sourceMac, EtherType.Ipv4);
        Span<byte> ip = frame.AsSpan(EthernetFrame.HeaderLength);
        var ipRepr = new Ipv4Repr
        {
            Source = source,
            Destination = destination,
            Protocol = IpProtocol.Udp,
            Ttl = 64,
            PayloadLength = UdpPacket.HeaderLength + payload.Length,
        };
        Ipv4Packet.Emit(ipRepr, ip);
        Span<byte> udp = ip[Ipv4Packet.MinHeaderLength..];
        UdpPacket.Emit(new UdpRepr { SourcePort = sourcePort, DestinationPort = destinationPort, PayloadLength = payload.Length }, udp);
        payload.CopyTo(udp[UdpPacket.HeaderLength..]);
        UdpPacket.FillChecksum(udp, source, destination);
        return frame;
    }

    public static byte[] Arp(ArpOperation operation, MacAddress destinationMac, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp)
    {
        byte[] frame = new byte[EthernetFrame.HeaderLength + 28];
        EthernetFrame.Emit(frame, destinationMac, senderMac, EtherType.Arp);
        ArpPacket.Emit(new ArpRepr { Operation = operation, SenderMac = senderMac, SenderIp = senderIp, TargetMac = targetMac, TargetIp = targetIp }, frame.AsSpan(EthernetFrame.HeaderLength));
        return frame;
    }

    /// <summary>Copies <paramref name="bytes"/> into a frame rented from <paramref name="pool"/>.</summary>
    public static Frame Rent(FramePool pool, ReadOnlySpan<byte> bytes)
    {
        Assert.True(pool.TryRent(out Frame frame), "the pool is empty");
        frame = frame.WithWindow(0, bytes.Length);
        bytes.CopyTo(frame.Span);
        return frame;
    }

    public static ushort EtherTypeOf(byte[] frame) => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12));

    public static bool IsArp(byte[] frame) => EtherTypeOf(frame) == EtherType.Arp;

    public static bool IsIpv4(byte[] frame) => EtherTypeOf(frame) == EtherType.Ipv4;

    /// <summary>Reads an IPv4/UDP frame; false for anything else.</summary>
    public static bool TryReadUdp(byte[] frame, out Ipv4Address source, out Ipv4Address destination, out ushort destinationPort, out byte[] payload)
    {
        (source, destination, destinationPort, payload) = (default, default, 0, []);
        if (!IsIpv4(frame)) return false;
        ReadOnlySpan<byte> ip = frame.AsSpan(EthernetFrame.HeaderLength);
        if (Ipv4Packet.TryParse(ip, verifyChecksum: true, out Ipv4Repr ipRepr, out int headerLength) != WireError.None || ipRepr.Protocol != IpProtocol.Udp) return false;
        ReadOnlySpan<byte> udp = ip.Slice(headerLength, ipRepr.PayloadLength);
        if (UdpPacket.TryParse(udp, ipRepr.Source, ipRepr.Destination, verifyChecksum: true, out UdpRepr udpRepr) != WireError.None) return false;
        (source, destination, destinationPort) = (ipRepr.Source, ipRepr.Destination, udpRepr.DestinationPort);
        payload = udp.Slice(UdpPacket.HeaderLength, udpRepr.PayloadLength).ToArray();
        return true;
    }

    /// <summary>Receives until a frame matches (returning a copy); frames before it are copied into <paramref name="skipped"/>. Every frame is released.</summary>
    public static byte[] ReceiveMatching(XdpDevice device, Predicate<byte[]> match, List<byte[]>? skipped = null)
    {
        var batch = new Frame[16];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (!device.WaitForFrames(TimeSpan.FromMilliseconds(100))) continue;
            int count = device.Receive(batch);
            byte[]? found = null;
            for (int i = 0; i < count; i++)
            {
                byte[] copy = batch[i].Span.ToArray();
                batch[i].Release();
                if (found is null && match(copy)) found = copy;
                else skipped?.Add(copy);
            }
            if (found is not null) return found;
        }
        Assert.Fail($"No matching frame within {Patience.TotalSeconds} s; device counters: received {device.Statistics.FramesReceived}, socket {device.GetSocketStatistics()}, port {device.Port.GetSocketStatistics()}.");
        return [];
    }

    /// <summary>Receives whatever is ready now (copies; releases every frame).</summary>
    public static List<byte[]> DrainReady(XdpDevice device)
    {
        var batch = new Frame[16];
        var frames = new List<byte[]>();
        int count;
        while ((count = device.Receive(batch)) > 0)
        {
            for (int i = 0; i < count; i++)
            {
                frames.Add(batch[i].Span.ToArray());
                batch[i].Release();
            }
        }
        return frames;
    }
}

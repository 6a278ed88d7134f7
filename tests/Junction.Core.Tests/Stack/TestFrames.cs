using System.Buffers.Binary;
using Junction.Wire;

namespace Junction.Tests.Stack;

/// <summary>Builds the frames a peer would send, byte by byte, with the wire emitters.</summary>
internal static class TestFrames
{
    /// <summary>The shortest Ethernet frame without its FCS; shorter frames are padded with zeros.</summary>
    public const int MinimumFrameLength = 60;

    public static byte[] Ethernet(MacAddress destination, MacAddress source, ushort etherType, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[Math.Max(EthernetFrame.HeaderLength + payload.Length, MinimumFrameLength)];
        EthernetFrame.Emit(frame, destination, source, etherType);
        payload.CopyTo(frame.AsSpan(EthernetFrame.HeaderLength));
        return frame;
    }

    public static byte[] Arp(ArpOperation operation, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp) =>
        Arp(operation, senderMac, senderIp, targetMac, targetIp,
            operation == ArpOperation.Request ? MacAddress.Broadcast : targetMac);

    public static byte[] Arp(ArpOperation operation, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp, MacAddress ethernetDestination)
    {
        var packet = new byte[ArpPacket.Length];
        ArpPacket.Emit(new ArpRepr { Operation = operation, SenderMac = senderMac, SenderIp = senderIp, TargetMac = targetMac, TargetIp = targetIp }, packet);
        return Ethernet(ethernetDestination, senderMac, EtherType.Arp, packet);
    }

    /// <summary>An IPv4 packet with a valid header checksum.</summary>
    public static byte[] Ipv4(Ipv4Address source, Ipv4Address destination, byte protocol, ReadOnlySpan<byte> payload, ushort identification = 0x1234)
    {
        var packet = new byte[Ipv4Packet.MinHeaderLength + payload.Length];
        var ip = new Ipv4Repr
        {
            Source = source,
            Destination = destination,
            Protocol = protocol,
            Ttl = 64,
            PayloadLength = payload.Length,
            Identification = identification,
        };
        Ipv4Packet.Emit(ip, packet);
        payload.CopyTo(packet.AsSpan(Ipv4Packet.MinHeaderLength));
        return packet;
    }

    /// <summary>A UDP datagram (header and payload) with a valid checksum.</summary>
    public static byte[] Udp(Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var datagram = new byte[UdpPacket.HeaderLength + payload.Length];
        UdpPacket.Emit(new UdpRepr { SourcePort = sourcePort, DestinationPort = destinationPort, PayloadLength = payload.Length }, datagram);
        payload.CopyTo(datagram.AsSpan(UdpPacket.HeaderLength));
        UdpPacket.FillChecksum(datagram, source, destination);
        return datagram;
    }

    /// <summary>An ICMP echo message with a valid checksum.</summary>
    public static byte[] IcmpEcho(byte type, ushort identifier, ushort sequence, ReadOnlySpan<byte> payload)
    {
        var message = new byte[IcmpPacket.HeaderLength + payload.Length];
        IcmpPacket.Emit(IcmpRepr.Echo(type, identifier, sequence), payload, message);
        return message;
    }

    /// <summary>A TCP segment without options and a valid checksum.</summary>
    public static byte[] Tcp(Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, TcpFlags flags, ReadOnlySpan<byte> payload = default)
    {
        var repr = new TcpRepr
        {
            SourcePort = sourcePort,
            DestinationPort = destinationPort,
            SequenceNumber = new TcpSeq(1000),
            AckNumber = new TcpSeq(0),
            Flags = flags,
            Window = 65535,
        };
        var segment = new byte[TcpPacket.HeaderLength(repr) + payload.Length];
        int headerLength = TcpPacket.Emit(repr, segment);
        payload.CopyTo(segment.AsSpan(headerLength));
        TcpPacket.FillChecksum(segment, source, destination);
        return segment;
    }

    /// <summary>An Ethernet frame carrying an IPv4 packet.</summary>
    public static byte[] Ipv4Frame(MacAddress destinationMac, MacAddress sourceMac, Ipv4Address source, Ipv4Address destination, byte protocol, ReadOnlySpan<byte> payload) =>
        Ethernet(destinationMac, sourceMac, EtherType.Ipv4, Ipv4(source, destination, protocol, payload));

    /// <summary>An Ethernet frame carrying a UDP datagram with valid checksums.</summary>
    public static byte[] UdpFrame(MacAddress destinationMac, MacAddress sourceMac, Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, ReadOnlySpan<byte> payload) =>
        Ipv4Frame(destinationMac, sourceMac, source, destination, IpProtocol.Udp, Udp(source, destination, sourcePort, destinationPort, payload));

    /// <summary>Recomputes the IPv4 header checksum of the packet in <paramref name="frame"/> after a test edited the header.</summary>
    public static void RefreshIpv4Checksum(byte[] frame) => Ipv4Packet.FillChecksum(frame.AsSpan(EthernetFrame.HeaderLength));

    /// <summary>Writes a big-endian 16-bit field.</summary>
    public static void Write16(byte[] frame, int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), value);

    /// <summary>Bytes 0, 1, 2, ... wrapping at 256, offset by <paramref name="start"/>.</summary>
    public static byte[] Pattern(int length, int start = 0)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)(start + i);
        return bytes;
    }
}

using Junction.Wire;

namespace Junction.Tests.Stack;

/// <summary>Reads back what the stack transmitted, asserting every header on the way parses and verifies.</summary>
internal static class SentFrame
{
    public static ArpRepr Arp(byte[] frame, out MacAddress ethernetDestination)
    {
        Assert.True(EthernetFrame.TryParse(frame, out ethernetDestination, out MacAddress source, out ushort etherType));
        Assert.Equal(EtherType.Arp, etherType);
        Assert.Equal(StackHarness.StackMac, source);
        Assert.Equal(WireError.None, ArpPacket.TryParse(frame.AsSpan(EthernetFrame.HeaderLength), out ArpRepr arp));
        return arp;
    }

    /// <summary>Parses an IPv4 frame from the stack and verifies its header checksum; returns the IP payload.</summary>
    public static byte[] Ipv4(byte[] frame, out MacAddress ethernetDestination, out Ipv4Repr ip)
    {
        Assert.True(EthernetFrame.TryParse(frame, out ethernetDestination, out MacAddress source, out ushort etherType));
        Assert.Equal(EtherType.Ipv4, etherType);
        Assert.Equal(StackHarness.StackMac, source);
        ReadOnlySpan<byte> packet = frame.AsSpan(EthernetFrame.HeaderLength);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(packet, verifyChecksum: true, out ip, out int headerLength));
        Assert.Equal(Ipv4Packet.MinHeaderLength, headerLength);
        Assert.Equal(EthernetFrame.HeaderLength + headerLength + ip.PayloadLength, frame.Length);
        return packet.Slice(headerLength, ip.PayloadLength).ToArray();
    }

    /// <summary>Parses a UDP datagram from the stack, requiring a non-zero, valid checksum; returns its payload.</summary>
    public static byte[] Udp(byte[] frame, out MacAddress ethernetDestination, out Ipv4Repr ip, out UdpRepr udp)
    {
        byte[] datagram = Ipv4(frame, out ethernetDestination, out ip);
        Assert.Equal(IpProtocol.Udp, ip.Protocol);
        Assert.NotEqual(0, datagram[6] | datagram[7]);
        Assert.Equal(WireError.None, UdpPacket.TryParse(datagram, ip.Source, ip.Destination, verifyChecksum: true, out udp));
        Assert.Equal(datagram.Length, UdpPacket.HeaderLength + udp.PayloadLength);
        return datagram[UdpPacket.HeaderLength..];
    }

    /// <summary>Parses an ICMP message from the stack and verifies its checksum; returns the body after the 8-byte header.</summary>
    public static byte[] Icmp(byte[] frame, out Ipv4Repr ip, out IcmpRepr icmp)
    {
        byte[] message = Ipv4(frame, out MacAddress destination, out ip);
        Assert.Equal(StackHarness.PeerMac, destination);
        Assert.Equal(IpProtocol.Icmp, ip.Protocol);
        Assert.Equal(0, Checksum.Compute(message));
        Assert.Equal(WireError.None, IcmpPacket.TryParse(message, verifyChecksum: true, out icmp));
        return message[IcmpPacket.HeaderLength..];
    }
}

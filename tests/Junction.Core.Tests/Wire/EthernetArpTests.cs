using Junction.Wire;

namespace Junction.Tests.Wire;

public class EthernetArpTests
{
    private static readonly MacAddress MacA = MacAddress.Parse("02:00:00:00:00:0a");
    private static readonly MacAddress MacB = MacAddress.Parse("02:00:00:00:00:0b");

    [Fact]
    public void Ethernet_header_round_trips_with_exact_layout()
    {
        byte[] frame = new byte[60];
        EthernetFrame.Emit(frame, MacAddress.Broadcast, MacA, EtherType.Arp);
        Assert.Equal("ffffffffffff02000000000a0806", Convert.ToHexStringLower(frame, 0, 14));
        Assert.True(EthernetFrame.TryParse(frame, out MacAddress destination, out MacAddress source, out ushort etherType));
        Assert.Equal(MacAddress.Broadcast, destination);
        Assert.Equal(MacA, source);
        Assert.Equal(EtherType.Arp, etherType);
    }

    [Fact]
    public void Ethernet_rejects_frames_shorter_than_14_bytes()
    {
        byte[] frame = new byte[14];
        for (int length = 0; length < EthernetFrame.HeaderLength; length++)
            Assert.False(EthernetFrame.TryParse(frame.AsSpan(0, length), out _, out _, out _));
        Assert.True(EthernetFrame.TryParse(frame, out _, out _, out _));
    }

    private static ArpRepr Request() => new()
    {
        Operation = ArpOperation.Request,
        SenderMac = MacA,
        SenderIp = new Ipv4Address(10, 0, 0, 1),
        TargetMac = MacAddress.Zero,
        TargetIp = new Ipv4Address(10, 0, 0, 2),
    };

    [Fact]
    public void Arp_request_round_trips_with_exact_layout()
    {
        byte[] packet = new byte[ArpPacket.Length];
        ArpRepr request = Request();
        ArpPacket.Emit(request, packet);
        Assert.Equal("0001080006040001" + "02000000000a0a000001" + "0000000000000a000002", Convert.ToHexStringLower(packet));
        Assert.Equal(WireError.None, ArpPacket.TryParse(packet, out ArpRepr parsed));
        Assert.Equal(request, parsed);
    }

    [Fact]
    public void Arp_reply_round_trips()
    {
        var reply = new ArpRepr
        {
            Operation = ArpOperation.Reply,
            SenderMac = MacB,
            SenderIp = new Ipv4Address(10, 0, 0, 2),
            TargetMac = MacA,
            TargetIp = new Ipv4Address(10, 0, 0, 1),
        };
        byte[] packet = new byte[46]; // Ethernet minimum payload: trailing padding is ignored
        ArpPacket.Emit(reply, packet);
        Assert.Equal(WireError.None, ArpPacket.TryParse(packet, out ArpRepr parsed));
        Assert.Equal(reply, parsed);
    }

    [Fact]
    public void Arp_rejects_truncated_packets_at_every_length()
    {
        byte[] packet = new byte[ArpPacket.Length];
        ArpPacket.Emit(Request(), packet);
        for (int length = 0; length < ArpPacket.Length; length++)
            Assert.Equal(WireError.Truncated, ArpPacket.TryParse(packet.AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(0, 0x06)] // hardware type 6 (IEEE 802)
    [InlineData(2, 0x86)] // protocol type 0x0886
    [InlineData(4, 8)]    // hardware length
    [InlineData(5, 16)]   // protocol length
    public void Arp_rejects_non_ethernet_ipv4_address_types_as_unsupported(int offset, byte value)
    {
        byte[] packet = new byte[ArpPacket.Length];
        ArpPacket.Emit(Request(), packet);
        packet[offset + (offset < 4 ? 1 : 0)] = value;
        Assert.Equal(WireError.Unsupported, ArpPacket.TryParse(packet, out _));
    }
}

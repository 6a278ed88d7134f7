using Junction.Wire;

namespace Junction.Tests.Wire;

public class RobustnessTests
{
    private static readonly Ipv4Address Source = new(10, 0, 0, 1);
    private static readonly Ipv4Address Destination = new(10, 0, 0, 2);

    private static void ParseEverything(ReadOnlySpan<byte> data)
    {
        Assert.Equal(data.Length >= EthernetFrame.HeaderLength, EthernetFrame.TryParse(data, out _, out _, out _));
        Assert.True(Enum.IsDefined(ArpPacket.TryParse(data, out _)));
        Assert.True(Enum.IsDefined(Ipv4Packet.TryParse(data, true, out _, out int ipHeader)));
        Assert.InRange(ipHeader, 0, 60);
        Assert.True(Enum.IsDefined(IcmpPacket.TryParse(data, true, out _)));
        Assert.True(Enum.IsDefined(UdpPacket.TryParse(data, Source, Destination, true, out _)));
        Assert.True(Enum.IsDefined(TcpPacket.TryParse(data, Source, Destination, false, out TcpRepr tcp, out int tcpHeader)));
        Assert.InRange(tcpHeader, 0, Math.Min(60, data.Length));
        Assert.InRange(tcp.SackCount, 0, 4);
        Assert.InRange(tcp.WindowScale, 0, 14);
    }

    [Fact]
    public void Random_bytes_never_make_a_parser_throw()
    {
        var random = new Random(2024);
        byte[] buffer = new byte[80];
        for (int trial = 0; trial < 20000; trial++)
        {
            random.NextBytes(buffer);
            ParseEverything(buffer.AsSpan(0, random.Next(buffer.Length + 1)));
        }
    }

    [Fact]
    public void Random_option_bytes_behind_a_valid_tcp_header_never_throw()
    {
        var random = new Random(793);
        byte[] segment = new byte[64];
        byte[] interesting = [0, 1, 2, 3, 4, 5, 8, 10, 18, 26, 34, 40, 255];
        for (int trial = 0; trial < 20000; trial++)
        {
            TcpPacket.Emit(new TcpRepr { Flags = TcpFlags.Ack }, segment);
            int headerLength = 20 + 4 * random.Next(11);
            segment[12] = (byte)(headerLength / 4 << 4);
            for (int i = 20; i < segment.Length; i++)
                segment[i] = random.Next(2) == 0 ? interesting[random.Next(interesting.Length)] : (byte)random.Next(256);
            WireError error = TcpPacket.TryParse(segment, Source, Destination, false, out TcpRepr repr, out int parsedLength);
            Assert.True(error is WireError.None or WireError.BadOption);
            Assert.Equal(error == WireError.None ? headerLength : 0, parsedLength);
            Assert.InRange(repr.SackCount, 0, 4);
        }
    }

    [Fact]
    public void Parsing_and_emitting_do_not_allocate()
    {
        byte[] buffer = new byte[1514];
        Span<byte> frame = buffer;
        var tcp = new TcpRepr
        {
            SourcePort = 1,
            DestinationPort = 2,
            Flags = TcpFlags.Syn,
            HasMss = true,
            Mss = 1460,
            SackPermitted = true,
            HasTimestamp = true,
            HasWindowScale = true,
            WindowScale = 7,
        };
        var ip = new Ipv4Repr { Source = Source, Destination = Destination, Protocol = IpProtocol.Tcp, Ttl = 64, PayloadLength = 1000 };
        var icmp = IcmpRepr.Echo(IcmpType.EchoRequest, 1, 1);
        var arp = new ArpRepr { Operation = ArpOperation.Request, SenderIp = Source, TargetIp = Destination };
        var udp = new UdpRepr { SourcePort = 1, DestinationPort = 2, PayloadLength = 100 };

        int errors = 0;
        for (int round = 0; round < 2; round++)
        {
            // Round 0 warms up (JIT, tiering); round 1 is measured.
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                EthernetFrame.Emit(frame, MacAddress.Broadcast, MacAddress.LocallyAdministered(1), EtherType.Ipv4);
                errors += EthernetFrame.TryParse(frame, out _, out _, out _) ? 0 : 1;
                Ipv4Packet.Emit(ip, frame[14..]);
                errors += (int)Ipv4Packet.TryParse(frame[14..1034], true, out _, out _);
                int headerLength = TcpPacket.Emit(tcp, frame[34..]);
                TcpPacket.FillChecksum(frame[34..1034], Source, Destination);
                errors += (int)TcpPacket.TryParse(frame[34..1034], Source, Destination, true, out _, out _);
                errors += headerLength == 40 ? 0 : 1;
                UdpPacket.Emit(udp, frame[34..]);
                UdpPacket.FillChecksum(frame[34..142], Source, Destination);
                errors += (int)UdpPacket.TryParse(frame[34..142], Source, Destination, true, out _);
                IcmpPacket.Emit(icmp, frame[100..164], frame[34..]);
                errors += (int)IcmpPacket.TryParse(frame[34..106], true, out _);
                ArpPacket.Emit(arp, frame[14..]);
                errors += (int)ArpPacket.TryParse(frame[14..], out _);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1) Assert.Equal(0, allocated);
        }
        Assert.Equal(0, errors);
    }
}

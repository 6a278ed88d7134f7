using Junction.Stack.Tcp;
using Junction.Wire;
using static Junction.Tests.Stack.StackHarness;

namespace Junction.Tests.Stack;

/// <summary>How the stack carries TCP: segments in, segments out through IPv4 and ARP. TCP itself is tested elsewhere.</summary>
public sealed class TcpGlueTests
{
    private static byte[] TcpFromPeer(ushort sourcePort, ushort destinationPort, TcpFlags flags) =>
        TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Tcp, TestFrames.Tcp(PeerIp, StackIp, sourcePort, destinationPort, flags));

    private static TcpRepr SentTcp(byte[] frame, out MacAddress ethernetDestination, out Ipv4Repr ip)
    {
        byte[] segment = SentFrame.Ipv4(frame, out ethernetDestination, out ip);
        Assert.Equal(IpProtocol.Tcp, ip.Protocol);
        Assert.Equal(WireError.None, TcpPacket.TryParse(segment, ip.Source, ip.Destination, verifyChecksum: true, out TcpRepr tcp, out _));
        return tcp;
    }

    [Fact]
    public void Syn_to_a_listening_port_is_answered_with_a_checksummed_syn_ack()
    {
        using var h = new StackHarness();
        h.TeachPeer();
        using TcpListenEndpoint listener = h.Stack.TcpListen(80);

        h.Deliver(TcpFromPeer(40000, 80, TcpFlags.Syn));

        TcpRepr synAck = SentTcp(h.TakeSingle(), out MacAddress to, out Ipv4Repr ip);
        Assert.Equal(PeerMac, to);
        Assert.Equal(StackIp, ip.Source);
        Assert.Equal(PeerIp, ip.Destination);
        Assert.True(synAck.Has(TcpFlags.Syn | TcpFlags.Ack));
        Assert.Equal(80, synAck.SourcePort);
        Assert.Equal(40000, synAck.DestinationPort);
        Assert.Equal(new TcpSeq(1001), synAck.AckNumber);
        Assert.Equal(h.Stack.Mtu - 40, synAck.Mss);
        h.Finish();
    }

    [Fact]
    public void Connect_to_an_unknown_neighbour_sends_the_syn_once_arp_resolves()
    {
        using var h = new StackHarness();
        TcpConnection connection = h.Stack.TcpConnect(PeerIp, 80);
        h.Poll();
        Assert.Equal(PeerIp, SentFrame.Arp(h.TakeSingle(), out _).TargetIp);
        Assert.Equal(TcpState.SynSent, connection.State);

        h.Deliver(TestFrames.Arp(ArpOperation.Reply, PeerMac, PeerIp, StackMac, StackIp));

        TcpRepr syn = SentTcp(h.TakeSingle(), out MacAddress to, out _);
        Assert.Equal(PeerMac, to);
        Assert.Equal(TcpFlags.Syn, syn.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst));
        Assert.Equal(80, syn.DestinationPort);
        Assert.Equal(1, h.Stack.TcpConnectionCount);
        h.Finish();
    }
}

using System.Net;
using System.Net.Sockets;
using Junction.Interop.Tests.Tcp;
using Junction.Stack.Tcp;
using Junction.Stack.Udp;

namespace Junction.Interop.Tests.Udp;

/// <summary>ICMP echo and ARP between the Linux kernel and a Junction instance on AF_XDP.</summary>
[Collection(KernelInterop.Name)]
public sealed class PingAndArpTests
{
    [Fact]
    public void Linux_ping_gets_answers_from_junction_and_arp_resolves_both_ways()
    {
        using JunctionInstance junction = JunctionInstance.Start(new TcpSettings());

        (int exitCode, string output) = junction.RunOnLinux(TimeSpan.FromSeconds(30), "ping", "-c", "5", "-i", "0.2", "-W", "1", junction.Address.ToString());

        Assert.True(exitCode == 0, output);
        Assert.Contains("5 packets transmitted, 5 received", output, StringComparison.Ordinal);
        Assert.Equal(5, junction.Invoke(() => junction.Stack.Statistics.EchoRepliesSent));
        // Linux asked by ARP and Junction answered: its neighbour table holds Junction's MAC.
        Assert.True(junction.Invoke(() => junction.Stack.Statistics.ArpRepliesSent) >= 1);
        (_, string neighbours) = junction.RunOnLinux(TimeSpan.FromSeconds(10), "ip", "neigh", "show", junction.Address.ToString());
        Assert.Contains(junction.Device.MacAddress.ToString(), neighbours, StringComparison.OrdinalIgnoreCase);
        // Junction learned Linux's MAC from that request: it reaches Linux without asking itself.
        using Socket linux = BoundLinuxUdpSocket(junction, 9000);
        UdpSocket udp = junction.Invoke(() => junction.Stack.UdpBind(5000));
        Assert.True(junction.Invoke(() => udp.SendTo("learned"u8, junction.LinuxAddress, 9000)));
        Assert.Equal("learned", ReceiveText(linux));
        Assert.Equal(0, junction.Invoke(() => junction.Stack.Statistics.ArpRequestsSent));
    }

    [Fact]
    public void Junction_resolves_linux_by_arp_and_linux_learns_junction_from_the_request()
    {
        using JunctionInstance junction = JunctionInstance.Start(new TcpSettings());
        using Socket linux = BoundLinuxUdpSocket(junction, 9000);
        UdpSocket udp = junction.Invoke(() => junction.Stack.UdpBind(5000));

        // Nothing came from Linux yet: the datagram waits for Junction's ARP request and Linux's reply.
        Assert.True(junction.Invoke(() => udp.SendTo("first"u8, junction.LinuxAddress, 9000)));

        Assert.Equal("first", ReceiveText(linux));
        Assert.Equal(1, junction.Invoke(() => junction.Stack.Statistics.ArpRequestsSent));
        (_, string neighbours) = junction.RunOnLinux(TimeSpan.FromSeconds(10), "ip", "neigh", "show", junction.Address.ToString());
        Assert.Contains(junction.Device.MacAddress.ToString(), neighbours, StringComparison.OrdinalIgnoreCase);
        (int exitCode, string output) = junction.RunOnLinux(TimeSpan.FromSeconds(30), "ping", "-c", "3", "-i", "0.2", "-W", "1", junction.Address.ToString());
        Assert.True(exitCode == 0, output);
        Assert.Contains("3 packets transmitted, 3 received", output, StringComparison.Ordinal);
    }

    internal static Socket BoundLinuxUdpSocket(JunctionInstance junction, ushort port)
    {
        Socket socket = junction.OnLinux(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(junction.LinuxAddress.ToIPAddress(), port));
            return s;
        });
        socket.ReceiveTimeout = 10_000;
        return socket;
    }

    private static string ReceiveText(Socket socket)
    {
        byte[] buffer = new byte[2048];
        int length = socket.Receive(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, length);
    }
}

using System.Net;
using System.Net.Sockets;
using Junction.Interop.Tests.Tcp;
using Junction.Stack.Tcp;
using Junction.Stack.Udp;

namespace Junction.Interop.Tests.Udp;

/// <summary>UDP between Linux sockets in the client namespace and a Junction instance on AF_XDP.</summary>
[Collection(KernelInterop.Name)]
public sealed class UdpTests
{
    private const int MaxPayload = 1500 - 20 - 8;

    /// <summary>Datagram sizes: empty, tiny, the largest that fits the 1500-byte MTU, and seeded ones in between.</summary>
    private static int[] Sizes()
    {
        var random = new Random(4);
        return [0, 1, 2, MaxPayload - 1, MaxPayload, .. Enumerable.Range(0, 195).Select(_ => random.Next(MaxPayload + 1))];
    }

    [Fact]
    public void Linux_datagrams_reach_a_junction_socket_and_its_replies_come_back()
    {
        using JunctionInstance junction = JunctionInstance.Start(new TcpSettings());
        UdpEcho echo = junction.Invoke(() => new UdpEcho(junction.Stack.UdpBind(7)));
        using Socket linux = PingAndArpTests.BoundLinuxUdpSocket(junction, 9000);
        linux.Connect(new IPEndPoint(junction.Address.ToIPAddress(), 7));
        byte[] reply = new byte[2048];

        int[] sizes = Sizes();
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] datagram = Tcp.LinuxSockets.SeededBytes(sizes[i], i);
            Assert.Equal(datagram.Length, linux.Send(datagram));
            int length = linux.Receive(reply);
            Assert.True(datagram.AsSpan().SequenceEqual(reply.AsSpan(0, length)), $"datagram {i} ({sizes[i]} bytes) came back different ({length} bytes)");
        }

        Assert.Equal(sizes.Length, junction.Invoke(() => echo.Echoed));
    }

    [Fact]
    public void Junction_datagrams_reach_a_linux_socket_and_its_replies_come_back()
    {
        using JunctionInstance junction = JunctionInstance.Start(new TcpSettings());
        using Socket linux = PingAndArpTests.BoundLinuxUdpSocket(junction, 9000);
        UdpSocket udp = junction.Invoke(() => junction.Stack.UdpBind(5000));
        byte[] buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);

        int[] sizes = Sizes();
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] datagram = Tcp.LinuxSockets.SeededBytes(sizes[i], 1000 + i);
            Assert.True(junction.Invoke(() => udp.SendTo(datagram, junction.LinuxAddress, 9000)));
            int length = linux.ReceiveFrom(buffer, ref from);
            Assert.True(datagram.AsSpan().SequenceEqual(buffer.AsSpan(0, length)), $"datagram {i} ({sizes[i]} bytes) arrived different ({length} bytes)");
            Assert.Equal(new IPEndPoint(junction.Address.ToIPAddress(), 5000), from);

            linux.SendTo(buffer.AsSpan(0, length), from);
            int received = 0;
            Wire.Ipv4Address source = default;
            ushort sourcePort = 0;
            Assert.True(junction.WaitUntil(() => udp.TryReceiveFrom(buffer, out received, out _, out source, out sourcePort)), $"reply {i} never arrived");
            Assert.True(datagram.AsSpan().SequenceEqual(buffer.AsSpan(0, received)), $"reply {i} ({sizes[i]} bytes) arrived different ({received} bytes)");
            Assert.Equal((junction.LinuxAddress, (ushort)9000), (source, sourcePort));
        }
    }

    [Fact]
    public void Linux_datagram_to_a_closed_junction_port_gets_port_unreachable_and_connection_refused()
    {
        using JunctionInstance junction = JunctionInstance.Start(new TcpSettings());
        junction.Invoke(() => junction.Stack.UdpBind(7));
        using Socket linux = PingAndArpTests.BoundLinuxUdpSocket(junction, 9000);
        linux.Connect(new IPEndPoint(junction.Address.ToIPAddress(), 9999));

        linux.Send("anyone there?"u8);
        var refused = Assert.Throws<SocketException>(() => linux.Receive(new byte[100]));

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal(1, junction.Invoke(() => junction.Stack.Statistics.PortUnreachableSent));
        Assert.Equal(1, junction.Invoke(() => junction.Stack.Statistics.UdpNoSocket));
    }
}

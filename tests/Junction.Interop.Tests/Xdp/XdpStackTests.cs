using System.Net;
using System.Net.Sockets;
using System.Text;
using Junction.Devices;
using Junction.Devices.Xdp;
using Junction.Interop.Tests.Infrastructure;
using Junction.Stack;
using Junction.Stack.Udp;
using Junction.Wire;

namespace Junction.Interop.Tests.Xdp;

public sealed class XdpStackTests
{
    private static readonly Ipv4Address Instance = new(10, 77, 0, 10);

    [Fact]
    public void A_junction_stack_on_an_xdp_device_resolves_linux_by_arp_sends_it_udp_and_answers_its_ping()
    {
        using var veth = new VethPair();
        var device = XdpDevice.Open(veth.Options(Instance));
        FramePool pool = device.Pool;
        using Socket peer = veth.InPeer(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(VethPair.PeerAddress.ToIPAddress(), 9000));
            return socket;
        });
        peer.ReceiveTimeout = (int)XdpFrames.Patience.TotalMilliseconds;
        NetStack? stack = null;
        try
        {
            using (var thread = new StackThread("xdp stack"))
            {
                stack = thread.Invoke(() => new NetStack(device, new NetStackOptions { Address = Instance, PrefixLength = 16, Seed = 1 }, thread.Now));
                thread.Add(stack);

                // Nothing came from Linux yet: the stack must ask for the peer's address by ARP, and the reply is steered back to it.
                UdpSocket udp = thread.Invoke(() => stack.UdpBind(5000));
                Assert.True(thread.Invoke(() => udp.SendTo("over AF_XDP"u8, VethPair.PeerAddress, 9000)));
                var buffer = new byte[100];
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int length = peer.ReceiveFrom(buffer, ref from);
                Assert.Equal("over AF_XDP", Encoding.ASCII.GetString(buffer, 0, length));
                Assert.Equal(new IPEndPoint(Instance.ToIPAddress(), 5000), from);

                (int exitCode, string output) = veth.ExecInPeer("ping", "-c", "3", "-i", "0.2", "-W", "5", Instance.ToString());
                Assert.True(exitCode == 0, "ping to the Junction stack failed: " + output);
                Assert.Contains("3 received", output, StringComparison.Ordinal);
                (_, string neighbours) = veth.ExecInPeer("ip", "neigh", "show", Instance.ToString());
                Assert.Contains(VethPair.DeviceMac.ToString(), neighbours, StringComparison.OrdinalIgnoreCase);

                thread.Remove(stack);
            }
        }
        finally
        {
            stack?.Dispose();
            device.Dispose();
        }
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }
}

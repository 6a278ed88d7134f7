using System.Net;
using System.Net.Sockets;
using System.Text;
using Junction.Devices;
using Junction.Devices.Xdp;
using Junction.Interop.Tests.Infrastructure;
using Junction.Lab;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Interop.Tests.Density;

/// <summary>
/// The density design on a real queue: many Junction instances, each a <see cref="NetStack"/> with its own address,
/// share one veth queue (one <see cref="XdpPort"/>, one UMEM, one fill and completion ring) and one driving thread,
/// while the steering program keeps their traffic apart.
/// </summary>
public sealed class SharedQueueInstancesTests
{
    private const int Instances = 64;
    private const int ConnectionsEach = 2;
    private const ushort ServicePort = 7100;

    // Several segments each way, so that reassembly and ACK clocking run per instance, not one frame per connection.
    private const int RequestLength = 6000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Sixty_four_instances_on_one_queue_each_serve_only_their_own_tcp_connections()
    {
        using JunctionLab lab = RootRequired.CreateLab();
        var options = new XdpDeviceOptions
        {
            InterfaceName = lab.Server.Interface,
            NetworkNamespace = "/run/netns/" + lab.Server.Namespace,
            FrameCount = 4096,
            FillRingSize = 2048,
            CompletionRingSize = 2048,
            RxRingSize = 128,
            TxRingSize = 128,
            TransmitReserve = 1024,
            MaxSockets = 256,
        };
        using XdpInterface xdp = XdpInterface.Open(options);
        XdpPort port = xdp.OpenPort(0);
        FramePool pool = port.Pool;
        var devices = new OwnTrafficDevice[Instances];
        var stacks = new NetStack[Instances];
        var servers = new MarkedEchoServer[Instances];
        try
        {
            for (int i = 0; i < Instances; i++)
            {
                Ipv4Address address = lab.GetJunctionAddress(i);
                devices[i] = new OwnTrafficDevice(port.AddDevice(address), address);
            }
            Assert.Equal(Instances, port.DeviceCount);

            using (var thread = new StackThread("density"))
            {
                thread.Invoke(() =>
                {
                    for (int i = 0; i < Instances; i++)
                    {
                        var stackOptions = new NetStackOptions { Address = devices[i].Owner, PrefixLength = JunctionLab.PrefixLength, Seed = 100 + i };
                        stacks[i] = new NetStack(devices[i], stackOptions, thread.Now);
                        servers[i] = new MarkedEchoServer(stacks[i], ServicePort, RequestLength);
                    }
                });
                foreach (NetStack stack in stacks) thread.Add(stack);

                ClientResult[] results = RunLinuxClients(lab);

                // Every client got its own instance's marker and its own request back.
                foreach (ClientResult result in results)
                {
                    byte[] expected = [.. MarkedEchoServer.MarkerFor(result.Target.ToString()), .. Request(result.Target, result.Index)];
                    Assert.True(expected.AsSpan().SequenceEqual(result.Answer),
                        $"client {result.Index} of {result.Target} got a wrong answer: '{Encoding.ASCII.GetString(result.Answer.AsSpan(0, Math.Min(60, result.Answer.Length)))}...' ({result.Answer.Length} bytes)");
                }

                Assert.True(thread.WaitUntil(() => AllServersClosed(servers), Patience), "server connections did not all reach Closed");
                thread.Invoke(() => CheckServers(lab, servers));
                foreach (NetStack stack in stacks) thread.Remove(stack);
            }

            for (int i = 0; i < Instances; i++)
            {
                OwnTrafficDevice device = devices[i];
                NetStackStatistics statistics = stacks[i].Statistics;
                Assert.True(device.ForeignFrames == 0, $"instance {device.Owner} received {device.ForeignFrames} frames for others, first: {device.FirstForeign}");
                Assert.Equal(0, statistics.NotForUs);
                Assert.Equal(0, statistics.Malformed);
                Assert.Equal(0, statistics.BadChecksum);
                Assert.True(device.OwnArpFrames >= 1, $"instance {device.Owner} never saw the client's ARP request");
                // SYN, request segments, ACKs and FIN of two connections at least.
                Assert.True(device.OwnIpv4Frames >= ConnectionsEach * 4, $"instance {device.Owner} saw only {device.OwnIpv4Frames} IPv4 frames");
                Assert.Equal(device.OwnIpv4Frames + device.OwnArpFrames, statistics.FramesReceived);
            }
        }
        finally
        {
            foreach (NetStack? stack in stacks) stack?.Dispose();
            foreach (OwnTrafficDevice? device in devices) device?.Dispose();
            port.Dispose();
        }
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }

    /// <summary>What connection <paramref name="index"/> to <paramref name="target"/> sends: the pair, spelled out, repeated.</summary>
    private static byte[] Request(Ipv4Address target, int index)
    {
        byte[] pattern = Encoding.ASCII.GetBytes($"<to {target} connection {index}>");
        byte[] request = new byte[RequestLength];
        for (int offset = 0; offset < request.Length; offset += pattern.Length)
            pattern.AsSpan(0, Math.Min(pattern.Length, request.Length - offset)).CopyTo(request.AsSpan(offset));
        return request;
    }

    private static ClientResult[] RunLinuxClients(JunctionLab lab)
    {
        // Sockets belong to the namespace they were created in; they are used from any thread afterwards.
        Socket[] sockets = lab.RunInNamespace(LabSide.Client, () =>
        {
            var created = new Socket[Instances * ConnectionsEach];
            for (int i = 0; i < created.Length; i++) created[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            return created;
        });
        try
        {
            var clients = new Task<ClientResult>[sockets.Length];
            using var timeout = new CancellationTokenSource(Patience);
            for (int i = 0; i < sockets.Length; i++)
            {
                Ipv4Address target = lab.GetJunctionAddress(i % Instances);
                clients[i] = ExchangeAsync(sockets[i], target, i / Instances, timeout.Token);
            }
            Assert.True(Task.WaitAll(clients, Patience), "the Linux clients did not finish");
            return [.. clients.Select(c => c.Result)];
        }
        finally
        {
            foreach (Socket socket in sockets) socket.Dispose();
        }
    }

    private static async Task<ClientResult> ExchangeAsync(Socket socket, Ipv4Address target, int index, CancellationToken cancellation)
    {
        await socket.ConnectAsync(new IPEndPoint(target.ToIPAddress(), ServicePort), cancellation).ConfigureAwait(false);
        await socket.SendAsync(Request(target, index), SocketFlags.None, cancellation).ConfigureAwait(false);
        // The answer ends when the server closes, which it does after seeing this side's FIN.
        socket.Shutdown(SocketShutdown.Send);
        using var answer = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation).ConfigureAwait(false)) > 0) answer.Write(buffer, 0, n);
        return new ClientResult(target, index, answer.ToArray());
    }

    private static bool AllServersClosed(MarkedEchoServer[] servers)
    {
        foreach (MarkedEchoServer server in servers)
        {
            if (server.Sessions.Count < ConnectionsEach || !server.AllClosed) return false;
        }
        return true;
    }

    private static void CheckServers(JunctionLab lab, MarkedEchoServer[] servers)
    {
        foreach (MarkedEchoServer server in servers)
        {
            Ipv4Address own = server.Stack.Address;
            Assert.Equal(ConnectionsEach, server.Sessions.Count);
            var indexes = new HashSet<int>();
            foreach (MarkedEchoServer.Session session in server.Sessions)
            {
                Assert.Equal(own, session.Connection.LocalAddress);
                Assert.Equal(lab.ClientAddress, session.Connection.RemoteAddress);
                Assert.Equal(RequestLength, session.Received);
                Assert.Equal(0, session.Excess);
                Assert.True(session.Answered, $"{own} did not answer {session.Connection}");
                int index = IndexOf(session.Request, own);
                Assert.True(index >= 0, $"{own} received another instance's request: '{Encoding.ASCII.GetString(session.Request, 0, 40)}...'");
                indexes.Add(index);
            }
            Assert.Equal(Enumerable.Range(0, ConnectionsEach), indexes.Order());
        }
    }

    /// <summary>Which of <paramref name="own"/>'s connections <paramref name="request"/> is, or -1 if it is not one of them.</summary>
    private static int IndexOf(byte[] request, Ipv4Address own)
    {
        for (int index = 0; index < ConnectionsEach; index++)
        {
            if (request.AsSpan().SequenceEqual(Request(own, index))) return index;
        }
        return -1;
    }

    private sealed record ClientResult(Ipv4Address Target, int Index, byte[] Answer);
}

using Junction.Devices.Memory;
using Junction.Simulation;
using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Tests.EndToEnd;

public sealed class LossyLinkTests
{
    private static VirtualPortOptions Faulty(int seed) => new()
    {
        FrameCount = 8192,
        Faults = new FaultSettings
        {
            LossRate = 0.05,
            ReorderRate = 0.05,
            DuplicateRate = 0.01,
            CorruptRate = 0.001,
            Delay = TimeSpan.FromMilliseconds(2),
            Seed = seed,
        },
    };

    [Fact]
    public void Bulk_256_MiB_arrives_intact_through_loss_reordering_duplication_and_corruption()
    {
        const long Length = 256L << 20;
        using var network = new SimulatedNetwork(seed: 7);
        NetStack a = network.AddStack("10.1.0.1", Faulty(1), o => o.Tcp.ReceiveBufferSize = o.Tcp.SendBufferSize = 1 << 20);
        NetStack b = network.AddStack("10.1.0.2", Faulty(2), o => o.Tcp.ReceiveBufferSize = o.Tcp.SendBufferSize = 1 << 20);
        using TcpListenEndpoint listener = b.TcpListen(9000);
        TcpConnection client = a.TcpConnect(b.Address, 9000);
        TcpConnection? server = null;
        Assert.True(network.RunUntil(() => listener.TryAccept(out server), TimeSpan.FromMinutes(1)));

        var transfer = new TcpTransfer(client, server!, Length, seed: 99);
        Assert.True(network.RunUntil(() => transfer.Finished, TimeSpan.FromHours(2), transfer.Step), $"stalled at {transfer.Received} of {Length} bytes");

        Assert.Equal(Length, transfer.Received);
        Assert.Equal(transfer.SentDigest, transfer.ReceivedDigest);
        Assert.True(a.TcpStatistics.SegmentsRetransmitted > 0, "a lossy link must have caused retransmissions");
        Assert.True(b.Statistics.BadChecksum + a.Statistics.BadChecksum + a.Statistics.Malformed + b.Statistics.Malformed > 0, "corrupted frames must have been caught");

        client.Close();
        server!.Close();
        network.RunFor(TimeSpan.FromMinutes(3));
        AssertPoolsFull(network);
    }

    [Fact]
    public void Thousand_concurrent_connections_each_echo_64_KiB()
    {
        const int Connections = 1000;
        const int Length = 64 * 1024;
        using var network = new SimulatedNetwork(seed: 11);
        var port = new VirtualPortOptions { FrameCount = 32768, QueueCapacity = 32768 };
        NetStack server = network.AddStack("10.2.0.1", port, o => o.Tcp.SendBufferSize = o.Tcp.ReceiveBufferSize = 64 * 1024);
        NetStack client = network.AddStack("10.2.0.2", port, o => o.Tcp.SendBufferSize = o.Tcp.ReceiveBufferSize = 64 * 1024);
        using TcpListenEndpoint listener = server.TcpListen(7, backlog: Connections);

        var echoes = new List<EchoServerConnection>();
        var flows = new EchoClient[Connections];
        for (int i = 0; i < Connections; i++) flows[i] = new EchoClient(client.TcpConnect(server.Address, 7), Length, seed: i);

        bool done = network.RunUntil(() => Array.TrueForAll(flows, f => f.Finished), TimeSpan.FromMinutes(10), () =>
        {
            while (listener.TryAccept(out TcpConnection? c)) echoes.Add(new EchoServerConnection(c));
            foreach (EchoServerConnection e in echoes) e.Step();
            foreach (EchoClient f in flows) f.Step();
        });

        Assert.True(done, $"{flows.Count(f => !f.Finished)} connections did not finish");
        Assert.Equal(Connections, echoes.Count);
        Assert.All(flows, f => Assert.True(f.Intact));
        network.RunFor(TimeSpan.FromMinutes(3));
        Assert.Equal(0, server.TcpConnectionCount);
        AssertPoolsFull(network);
    }

    /// <summary>With every connection gone and the link quiet, each device pool must be full again, and stay so after disposal.</summary>
    internal static void AssertPoolsFull(SimulatedNetwork network)
    {
        Assert.Equal(Instant.Never, network.Switch.NextDeliveryTime);
        foreach (NetStack stack in network.Stacks) Assert.Equal(stack.Device.Pool.FrameCount, stack.Device.Pool.FreeCount);
        network.Dispose();
        foreach (NetStack stack in network.Stacks) Assert.Equal(stack.Device.Pool.FrameCount, stack.Device.Pool.FreeCount);
    }
}

using System.Diagnostics;
using Junction.Simulation;
using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Bench;

/// <summary>Two stack instances on the virtual switch in simulated time; wall-clock time is the stacks' own CPU work.</summary>
internal static class StackBenchmarks
{
    private const ushort Port = 5001;

    public static BenchResult Bulk(int mebibytes)
    {
        using var network = new SimulatedNetwork(seed: 1);
        (TcpConnection sender, TcpConnection receiver) = Connect(network, bufferSize: 4 << 20);
        byte[] chunk = new byte[256 * 1024];
        new Random(1).NextBytes(chunk);
        byte[] sink = new byte[256 * 1024];
        long total = (long)mebibytes << 20;

        // Warm up (JIT tiering, window growth) before measuring.
        Move(network, sender, receiver, chunk, sink, 64L << 20);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        Move(network, sender, receiver, chunk, sink, total);
        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        return new BenchResult(total * 8 / watch.Elapsed.TotalSeconds / 1e9, (double)allocated / mebibytes);
    }

    public static BenchResult RequestResponse(int count)
    {
        using var network = new SimulatedNetwork(seed: 2);
        (TcpConnection client, TcpConnection server) = Connect(network, bufferSize: 64 * 1024);
        client.NoDelay = true;
        server.NoDelay = true;
        var loop = new PingPong(client, server);

        loop.Run(network, count / 10);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        loop.Run(network, count);
        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        return new BenchResult(count / watch.Elapsed.TotalSeconds, (double)allocated / count);
    }

    private static (TcpConnection Client, TcpConnection Server) Connect(SimulatedNetwork network, int bufferSize)
    {
        NetStack a = network.AddStack("10.0.0.1", configure: o => { o.Tcp.SendBufferSize = bufferSize; o.Tcp.ReceiveBufferSize = bufferSize; });
        NetStack b = network.AddStack("10.0.0.2", configure: o => { o.Tcp.SendBufferSize = bufferSize; o.Tcp.ReceiveBufferSize = bufferSize; });
        TcpListenEndpoint listener = b.TcpListen(Port);
        TcpConnection client = a.TcpConnect(b.Address, Port);
        TcpConnection? server = null;
        if (!network.RunUntil(() => listener.TryAccept(out server), TimeSpan.FromSeconds(10)) || server is null)
            throw new InvalidOperationException("The benchmark connection did not establish.");
        return (client, server);
    }

    private static void Move(SimulatedNetwork network, TcpConnection sender, TcpConnection receiver, byte[] chunk, byte[] sink, long total)
    {
        long sent = 0, received = 0;
        bool done = network.RunUntil(() => received >= total, TimeSpan.FromHours(1), () =>
        {
            while (sent < total)
            {
                int n = sender.Send(chunk.AsSpan(0, (int)Math.Min(chunk.Length, total - sent)));
                if (n == 0) break;
                sent += n;
            }
            int r;
            while ((r = receiver.Receive(sink)) > 0) received += r;
        });
        if (!done) throw new InvalidOperationException($"Bulk transfer stalled after {received} bytes.");
    }

    /// <summary>64-byte requests and responses, one outstanding, driven from one step callback (no per-request allocation).</summary>
    private sealed class PingPong(TcpConnection client, TcpConnection server)
    {
        private readonly byte[] _request = new byte[64];
        private readonly byte[] _buffer = new byte[64];
        private int _remaining;
        private int _serverHave;
        private int _clientHave;
        private bool _inFlight;

        public void Run(SimulatedNetwork network, int count)
        {
            _remaining = count;
            if (!network.RunUntil(() => _remaining == 0, TimeSpan.FromHours(1), Step))
                throw new InvalidOperationException($"Request/response stalled with {_remaining} left.");
        }

        private void Step()
        {
            if (!_inFlight && _remaining > 0)
            {
                client.Send(_request);
                _inFlight = true;
            }
            _serverHave += server.Receive(_buffer.AsSpan(_serverHave));
            if (_serverHave == 64)
            {
                server.Send(_buffer);
                _serverHave = 0;
            }
            _clientHave += client.Receive(_buffer.AsSpan(_clientHave));
            if (_clientHave == 64)
            {
                _clientHave = 0;
                _inFlight = false;
                _remaining--;
            }
        }
    }
}

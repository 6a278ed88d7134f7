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
        var mover = new BulkMover(sender, receiver);
        long total = (long)mebibytes << 20;

        // Warm up (JIT tiering, window growth) before measuring.
        mover.Run(network, 256L << 20);
        long started = Stopwatch.GetTimestamp();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        mover.Run(network, total);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new BenchResult(total * 8 / seconds / 1e9, (double)allocated / mebibytes);
    }

    public static BenchResult RequestResponse(int count)
    {
        using var network = new SimulatedNetwork(seed: 2);
        (TcpConnection client, TcpConnection server) = Connect(network, bufferSize: 64 * 1024);
        client.NoDelay = true;
        server.NoDelay = true;
        var loop = new PingPong(client, server);

        loop.Run(network, count / 10);
        long started = Stopwatch.GetTimestamp();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        loop.Run(network, count);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new BenchResult(count / seconds, (double)allocated / count);
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

    /// <summary>Streams bytes from one connection to the other; delegates are made once so a run allocates nothing.</summary>
    private sealed class BulkMover
    {
        private readonly TcpConnection _sender;
        private readonly TcpConnection _receiver;
        private readonly byte[] _chunk = new byte[256 * 1024];
        private readonly byte[] _sink = new byte[256 * 1024];
        private readonly Func<bool> _done;
        private readonly Action _step;
        private long _total;
        private long _sent;
        private long _received;

        public BulkMover(TcpConnection sender, TcpConnection receiver)
        {
            _sender = sender;
            _receiver = receiver;
            new Random(1).NextBytes(_chunk);
            _done = () => _received >= _total;
            _step = Step;
        }

        public void Run(SimulatedNetwork network, long total)
        {
            (_total, _sent, _received) = (total, 0, 0);
            if (!network.RunUntil(_done, TimeSpan.FromHours(1), _step))
                throw new InvalidOperationException($"Bulk transfer stalled after {_received} bytes.");
        }

        private void Step()
        {
            while (_sent < _total)
            {
                int n = _sender.Send(_chunk.AsSpan(0, (int)Math.Min(_chunk.Length, _total - _sent)));
                if (n == 0) break;
                _sent += n;
            }
            int r;
            while ((r = _receiver.Receive(_sink)) > 0) _received += r;
        }
    }

    /// <summary>64-byte requests and responses, one outstanding, driven from one step callback (no per-request allocation).</summary>
    private sealed class PingPong
    {
        private readonly TcpConnection _client;
        private readonly TcpConnection _server;
        private readonly Func<bool> _done;
        private readonly Action _step;
        private readonly byte[] _request = new byte[64];
        private readonly byte[] _buffer = new byte[64];
        private int _remaining;
        private int _serverHave;
        private int _clientHave;
        private bool _inFlight;

        public PingPong(TcpConnection client, TcpConnection server)
        {
            _client = client;
            _server = server;
            _done = () => _remaining == 0;
            _step = Step;
        }

        public void Run(SimulatedNetwork network, int count)
        {
            _remaining = count;
            if (!network.RunUntil(_done, TimeSpan.FromHours(1), _step))
                throw new InvalidOperationException($"Request/response stalled with {_remaining} left.");
        }

        private void Step()
        {
            if (!_inFlight && _remaining > 0)
            {
                _client.Send(_request);
                _inFlight = true;
            }
            _serverHave += _server.Receive(_buffer.AsSpan(_serverHave));
            if (_serverHave == 64)
            {
                _server.Send(_buffer);
                _serverHave = 0;
            }
            _clientHave += _client.Receive(_buffer.AsSpan(_clientHave));
            if (_clientHave == 64)
            {
                _clientHave = 0;
                _inFlight = false;
                _remaining--;
            }
        }
    }
}

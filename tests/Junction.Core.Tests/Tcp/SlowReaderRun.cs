using System.Net.Sockets;
using Junction.Devices.Memory;
using Junction.Simulation;
using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Tests.Tcp;

/// <summary>
/// Two stacks on a faulty link, connections whose both directions run full while the applications read slowly
/// (a few KiB per simulated millisecond). Driven by its own event loop so that it can check, after every poll, that
/// every connection with outstanding data has its retransmission or persist timer armed, and can tell a stall
/// (nothing in flight, no timer, no application work left) from progress.
/// </summary>
internal sealed class SlowReaderRun : IDisposable
{
    private static readonly TimeSpan ReadInterval = TimeSpan.FromMilliseconds(1);

    private readonly SimulatedNetwork _network;
    private readonly TcpListenEndpoint _listener;
    private readonly List<Endpoint> _clients = [];
    private readonly List<Endpoint> _servers = [];
    private readonly Random _random;
    private readonly bool _echo;
    private readonly int _length;

    /// <summary>Sets up the network and opens the connections; <paramref name="echo"/> makes the server echo instead of streaming its own bytes.</summary>
    public SlowReaderRun(int seed, bool echo, int connections, int length, FaultSettings faults, Action<TcpSettings>? configure = null)
    {
        _random = new Random(seed);
        _echo = echo;
        _length = length;
        _network = new SimulatedNetwork(seed);
        var port = new VirtualPortOptions { FrameCount = 8192, Faults = faults with { Seed = seed } };
        NetStack server = _network.AddStack("10.9.0.1", port, o => configure?.Invoke(o.Tcp));
        NetStack client = _network.AddStack("10.9.0.2", port with { Faults = faults with { Seed = seed + 1 } }, o => configure?.Invoke(o.Tcp));
        _listener = server.TcpListen(7, backlog: connections);
        for (int i = 0; i < connections; i++)
        {
            _clients.Add(new Endpoint(client.TcpConnect(server.Address, 7), sendPattern: i, expectPattern: echo ? i : 1000 + i));
        }
    }

    /// <summary>Polls checked against the timer invariant.</summary>
    public long InvariantChecks { get; private set; }

    /// <summary>Whether every connection delivered every byte, in both directions, and saw the end of stream.</summary>
    public bool Done => _servers.Count == _clients.Count && _clients.TrueForAll(e => e.Finished) && _servers.TrueForAll(e => e.Finished);

    /// <summary>The retransmissions of every connection together.</summary>
    public long Retransmissions
    {
        get
        {
            long total = 0;
            foreach (Endpoint e in _clients) total += e.Connection.Retransmissions;
            foreach (Endpoint e in _servers) total += e.Connection.Retransmissions;
            return total;
        }
    }

    /// <summary>Runs to completion; fails the test on a broken invariant, corrupted data, a stall or <paramref name="limit"/>.</summary>
    public void Run(TimeSpan limit)
    {
        Instant end = _network.Now + limit;
        while (true)
        {
            long before = FrameCount();
            _network.PollAll();
            CheckInvariant();
            Step(_network.Now);
            _network.PollAll();
            CheckInvariant();
            if (Done) return;
            if (FrameCount() != before) continue;

            Instant next = _network.Switch.NextDeliveryTime;
            foreach (NetStack stack in _network.Stacks) next = Instant.Min(next, stack.NextDeadline);
            foreach (Endpoint e in _clients) next = Instant.Min(next, e.NextWork);
            foreach (Endpoint e in _servers) next = Instant.Min(next, e.NextWork);
            Assert.True(next != Instant.Never, "stalled: nothing in flight, no timer armed\n" + Describe());
            if (next <= _network.Now) next = _network.Now + TimeSpan.FromMicroseconds(1);
            Assert.True(next <= end, "did not finish in time\n" + Describe());
            _network.Clock.AdvanceTo(next);
        }
    }

    private void Step(Instant now)
    {
        while (_listener.TryAccept(out TcpConnection? accepted))
        {
            int index = _clients.FindIndex(e => e.Connection.LocalPort == accepted.RemotePort);
            _servers.Add(new Endpoint(accepted, sendPattern: 1000 + index, expectPattern: index));
        }
        foreach (Endpoint e in _clients) e.Step(now, _random, _length, echo: false);
        foreach (Endpoint e in _servers) e.Step(now, _random, _length, _echo);
    }

    private void CheckInvariant()
    {
        foreach (Endpoint e in _clients) Check(e.Connection);
        foreach (Endpoint e in _servers) Check(e.Connection);
    }

    private void Check(TcpConnection c)
    {
        InvariantChecks++;
        if (c.HasOutstandingData && !c.IsRetransmitOrPersistArmed)
        {
            Assert.Fail($"at {_network.Now}: outstanding data but neither the retransmission nor the persist timer is armed\n{c.DescribeState()}");
        }
    }

    private long FrameCount()
    {
        long total = 0;
        foreach (NetStack stack in _network.Stacks) total += stack.Statistics.FramesReceived + stack.Statistics.FramesSent;
        return total;
    }

    private string Describe()
    {
        var lines = new List<string>();
        foreach (Endpoint e in _clients) lines.Add("client " + e.Describe());
        foreach (Endpoint e in _servers) lines.Add("server " + e.Describe());
        return string.Join('\n', lines);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _network.Dispose();
    }

    /// <summary>The byte at <paramref name="position"/> of stream <paramref name="pattern"/>: checkable without storing the stream.</summary>
    private static byte PatternByte(int pattern, long position) => (byte)(((ulong)position * 2654435761UL >> 13) ^ (ulong)(pattern * 31));

    /// <summary>One side of one connection: writes its stream (or echoes), reads slowly, checks what it reads.</summary>
    private sealed class Endpoint(TcpConnection connection, int sendPattern, int expectPattern)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private long _sent;
        private long _received;
        private Instant _nextRead;
        private bool _shutdown;

        public TcpConnection Connection => connection;
        public bool Finished { get; private set; }

        /// <summary>When this application wants to run next on its own (it has data to read), or never.</summary>
        public Instant NextWork => !Finished && connection.ReceiveAvailable > 0 ? _nextRead : Instant.Never;

        public void Step(Instant now, Random random, int length, bool echo)
        {
            if (Finished || connection.State is TcpState.SynSent or TcpState.SynReceived) return;
            // Closed without an error is fine (a duplicate reached the peer after it closed, and its RST ended our
            // TIME_WAIT): what arrived stays readable.
            Assert.True(connection.Error == SocketError.Success, $"at {now}: connection failed: {connection.Error} {connection.DescribeState()}");
            if (!echo) Write(length);
            if (now >= _nextRead)
            {
                // Reads a random few KiB at most once per interval: the peer's data piles up and the window closes.
                int budget = random.Next(1, 8 * 1024);
                if (echo) budget = Math.Min(budget, connection.SendFree);
                int read = connection.Receive(_buffer.AsSpan(0, Math.Min(budget, _buffer.Length)));
                for (int i = 0; i < read; i++)
                {
                    Assert.True(_buffer[i] == PatternByte(expectPattern, _received + i), $"corrupted byte at {_received + i}");
                }
                _received += read;
                if (echo && read > 0) Assert.Equal(read, connection.Send(_buffer.AsSpan(0, read)));
                _nextRead = now + ReadInterval;
            }
            if (echo && !_shutdown && connection.IsReceiveComplete)
            {
                connection.ShutdownSend();
                _shutdown = true;
            }
            if (connection.IsReceiveComplete && (echo || _sent == length))
            {
                Assert.Equal(length, _received);
                connection.Close();
                Finished = true;
            }
        }

        private void Write(int length)
        {
            while (_sent < length && connection.SendFree > 0)
            {
                int n = (int)Math.Min(Math.Min(_buffer.Length, connection.SendFree), length - _sent);
                Span<byte> chunk = _buffer.AsSpan(0, n);
                for (int i = 0; i < n; i++) chunk[i] = PatternByte(sendPattern, _sent + i);
                _sent += connection.Send(chunk);
            }
            if (_sent == length && !_shutdown)
            {
                connection.ShutdownSend();
                _shutdown = true;
            }
        }

        public string Describe() => $"sent={_sent} received={_received} finished={Finished}: {connection.DescribeState()}";
    }
}

using System.Diagnostics;
using Junction.Stack;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Cli.Load;

/// <summary>
/// The Junction↔Junction side of tcp-rr: a Junction TCP client doing 64-byte round trips, one outstanding, from its
/// poll thread (<see cref="Poll"/>), so the next request leaves in the poll that saw the previous answer complete.
/// Round trips sent after the warm-up and completed within the window are timed into <see cref="Histogram"/>.
/// </summary>
internal sealed class JunctionPinger
{
    private readonly TcpConnection _connection;
    private readonly byte[] _request = new byte[TcpRoundTripLoad.MessageLength];
    private readonly byte[] _answer = new byte[TcpRoundTripLoad.MessageLength];
    private readonly TimeSpan _warmup;
    private readonly TimeSpan _duration;
    private long _windowStart;
    private long _windowEnd;
    private int _have;
    private bool _inFlight;
    private long _sentAt;
    private long _roundTrips;
    private volatile bool _finished;

    /// <summary>Connects to <paramref name="server"/>; call on the poll thread that polls <paramref name="stack"/>.</summary>
    public JunctionPinger(NetStack stack, Ipv4Address server, ushort port, TimeSpan warmup, TimeSpan duration)
    {
        _warmup = warmup;
        _duration = duration;
        _connection = stack.TcpConnect(server, port);
        _connection.NoDelay = true;
    }

    public LatencyHistogram Histogram { get; } = new();

    public bool IsFinished => _finished;

    /// <summary>Seconds the measured window lasted (the configured duration once finished).</summary>
    public double Seconds => _duration.TotalSeconds;

    public string Describe() => $"{_connection} after {_roundTrips} round trips";

    public void Poll()
    {
        if (_finished || _connection.State != TcpState.Established) return;
        long now = Stopwatch.GetTimestamp();
        if (_windowStart == 0)
        {
            // The window is timed from the established connection, as the Linux client's is from its connect.
            _windowStart = now + (long)(_warmup.TotalSeconds * Stopwatch.Frequency);
            _windowEnd = _windowStart + (long)(_duration.TotalSeconds * Stopwatch.Frequency);
        }
        if (_inFlight)
        {
            _have += _connection.Receive(_answer.AsSpan(_have));
            if (_have < _answer.Length) return;
            _roundTrips++;
            if (_sentAt >= _windowStart && now <= _windowEnd) Histogram.Record(_sentAt, now);
            _have = 0;
            _inFlight = false;
        }
        if (now >= _windowEnd)
        {
            _finished = true;
            _connection.Close();
            return;
        }
        _sentAt = now;
        if (_connection.Send(_request) != _request.Length) throw new InvalidOperationException("A 64-byte request did not fit in an empty send buffer.");
        _inFlight = true;
    }
}

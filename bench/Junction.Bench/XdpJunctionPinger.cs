using System.Diagnostics;
using Junction.Stack;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Bench;

/// <summary>
/// A Junction TCP client doing 64-byte round trips, one outstanding, from its poll thread: the request leaves in the
/// poll that saw the previous answer complete, and each round trip is timed with Stopwatch timestamps.
/// </summary>
internal sealed class XdpJunctionPinger
{
    private readonly TcpConnection _connection;
    private readonly byte[] _request = new byte[64];
    private readonly byte[] _answer = new byte[64];
    private readonly int _warmup;
    private readonly int _count;
    private int _done;
    private int _have;
    private bool _inFlight;
    private long _sentAt;
    private volatile bool _finished;

    public XdpJunctionPinger(NetStack stack, Ipv4Address server, ushort port, int warmup, int count)
    {
        _warmup = warmup;
        _count = count;
        _connection = stack.TcpConnect(server, port);
        _connection.NoDelay = true;
    }

    public XdpLatencyHistogram Histogram { get; } = new();

    public bool IsFinished => _finished;

    public string Describe() => $"{_connection} after {_done} round trips";

    public void Poll()
    {
        if (_finished || _connection.State != TcpState.Established) return;
        if (_inFlight)
        {
            _have += _connection.Receive(_answer.AsSpan(_have));
            if (_have < _answer.Length) return;
            long now = Stopwatch.GetTimestamp();
            if (_done >= _warmup) Histogram.Record(_sentAt, now);
            _have = 0;
            _inFlight = false;
            if (++_done == _warmup + _count)
            {
                _finished = true;
                _connection.Close();
                return;
            }
        }
        _sentAt = Stopwatch.GetTimestamp();
        if (_connection.Send(_request) != _request.Length) throw new InvalidOperationException("A 64-byte request did not fit in an empty send buffer.");
        _inFlight = true;
    }
}

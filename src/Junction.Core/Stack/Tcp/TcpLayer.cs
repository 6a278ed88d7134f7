using System.Buffers.Binary;
using System.Net.Sockets;
using Junction.Devices;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// TCP for one stack instance: demultiplexes incoming segments to connections and listeners, answers what has
/// no socket with RST, runs the timers and emits pending output. Driven by its caller (no thread of its own):
/// <see cref="Receive"/> for each segment, <see cref="Poll"/> at <see cref="NextDeadline"/> or after user calls.
/// </summary>
internal sealed class TcpLayer : IDisposable
{
    private readonly Dictionary<FourTuple, TcpConnection> _connections = [];
    private readonly Dictionary<ListenerKey, TcpListenEndpoint> _listeners = [];
    private readonly List<TcpConnection> _pendingOutput = [];
    private readonly List<TcpConnection> _pendingEvents = [];
    private readonly IsnGenerator _isn;
    private readonly SynCookies _cookies;
    private readonly Random _random;
    private readonly Instant _start;
    private readonly uint _tsBase;
    private long _challengeSecond = long.MinValue;
    private int _challengeCount;
    private bool _disposed;

    public TcpLayer(ITcpOutput output, TcpSettings settings, ReadOnlySpan<byte> secret, Instant start)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(settings);
        if (secret.Length < 32) throw new ArgumentException("The secret must be 32 bytes.", nameof(secret));
        Output = output;
        Settings = settings;
        _isn = new IsnGenerator(secret[..16]);
        _cookies = new SynCookies(secret.Slice(16, 16));
        _random = new Random(BinaryPrimitives.ReadInt32LittleEndian(secret[..4]) ^ BinaryPrimitives.ReadInt32LittleEndian(secret.Slice(16, 4)));
        _tsBase = (uint)_random.Next();
        _start = start;
        Now = start;
        Wheel = new TimerWheel(start);
    }

    private readonly record struct ListenerKey(Ipv4Address Address, ushort Port);

    internal ITcpOutput Output { get; }

    internal TcpSettings Settings { get; }

    internal TimerWheel Wheel { get; }

    /// <summary>The time of the last <see cref="Receive"/> or <see cref="Poll"/>; user calls happen "now".</summary>
    internal Instant Now { get; private set; }

    /// <summary>The layer's counters.</summary>
    public TcpStatistics Statistics { get; } = new();

    internal TcpStatistics Stats => Statistics;

    /// <summary>Connections in the demux table (handshaking, open, closing, TIME_WAIT).</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>When <see cref="Poll"/> must run next even if no segment arrives.</summary>
    public Instant NextDeadline => _pendingOutput.Count > 0 || _pendingEvents.Count > 0 ? Now : Wheel.NextDeadline;

    /// <summary>Our timestamp clock (RFC 7323): milliseconds, from a secret offset.</summary>
    internal uint TsClock(Instant now) => unchecked((uint)((now.Microseconds - _start.Microseconds) / 1000) + _tsBase);

    /// <summary>Starts listening on <paramref name="localAddress"/> (Any for all) and <paramref name="port"/>.</summary>
    public TcpListenEndpoint Listen(Ipv4Address localAddress, ushort port, int backlog)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        if (port == 0) port = PickEphemeralPort(localAddress, default, 0);
        var key = new ListenerKey(localAddress, port);
        if (_listeners.ContainsKey(key)) throw new SocketException((int)SocketError.AddressAlreadyInUse);
        var listener = new TcpListenEndpoint(this, localAddress, port, backlog);
        _listeners.Add(key, listener);
        return listener;
    }

    /// <summary>Opens a connection; the SYN goes out on the next <see cref="Poll"/>.</summary>
    public TcpConnection Connect(Ipv4Address localAddress, Ipv4Address remoteAddress, ushort remotePort, ushort localPort = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (remotePort == 0) throw new ArgumentOutOfRangeException(nameof(remotePort));
        if (localPort == 0) localPort = PickEphemeralPort(localAddress, remoteAddress, remotePort);
        var tuple = new FourTuple(localAddress, localPort, remoteAddress, remotePort);
        if (_connections.ContainsKey(tuple)) throw new SocketException((int)SocketError.AddressAlreadyInUse);
        var connection = new TcpConnection(this, tuple, _isn.Next(tuple, Now));
        _connections.Add(tuple, connection);
        connection.StartActiveOpen(Now);
        return connection;
    }

    /// <summary>RFC 6056-style: a random starting point in the range, then the first port free for this destination.</summary>
    private ushort PickEphemeralPort(Ipv4Address localAddress, Ipv4Address remoteAddress, ushort remotePort)
    {
        int first = Settings.EphemeralPortFirst;
        int count = Settings.EphemeralPortLast - first + 1;
        if (count <= 0) throw new SocketException((int)SocketError.AddressNotAvailable);
        int offset = _random.Next(count);
        for (int i = 0; i < count; i++)
        {
            ushort port = (ushort)(first + (offset + i) % count);
            if (_listeners.ContainsKey(new ListenerKey(localAddress, port)) || _listeners.ContainsKey(new ListenerKey(Ipv4Address.Any, port))) continue;
            if (remotePort != 0 && _connections.ContainsKey(new FourTuple(localAddress, port, remoteAddress, remotePort))) continue;
            return port;
        }
        throw new SocketException((int)SocketError.AddressNotAvailable);
    }

    /// <summary>Processes one parsed, checksum-verified segment; <paramref name="payload"/> is exactly its payload.</summary>
    public void Receive(Ipv4Address source, Ipv4Address destination, in TcpRepr segment, in Frame payload, Instant now)
    {
        if (_disposed) return;
        Now = now;
        Stats.SegmentsReceived++;
        var tuple = new FourTuple(destination, segment.DestinationPort, source, segment.SourcePort);
        if (_connections.TryGetValue(tuple, out TcpConnection? connection))
        {
            bool reuse = segment.Has(TcpFlags.Syn) && (segment.Flags & (TcpFlags.Ack | TcpFlags.Rst)) == 0
                && connection.AcceptsNewSyn(segment) && FindListener(destination, segment.DestinationPort) is not null;
            if (!reuse)
            {
                connection.OnSegment(segment, payload, now);
                Finish(connection, now);
                FlushEvents();
                return;
            }
            connection.Terminate();
        }

        TcpListenEndpoint? listener = FindListener(destination, segment.DestinationPort);
        if (listener is not null)
        {
            OnListenerSegment(listener, tuple, segment, payload, now);
            FlushEvents();
            return;
        }

        Stats.NoSocket++;
        RejectWithReset(tuple, segment, payload.Length);
    }

    private TcpListenEndpoint? FindListener(Ipv4Address address, ushort port)
    {
        if (_listeners.TryGetValue(new ListenerKey(address, port), out TcpListenEndpoint? listener)) return listener;
        return _listeners.TryGetValue(new ListenerKey(Ipv4Address.Any, port), out listener) ? listener : null;
    }

    /// <summary>LISTEN state (RFC 9293 3.10.7.2), with SYN cookies (RFC 4987) when the SYN queue is full.</summary>
    private void OnListenerSegment(TcpListenEndpoint listener, in FourTuple tuple, in TcpRepr segment, in Frame payload, Instant now)
    {
        if (segment.Has(TcpFlags.Rst)) return;
        if (segment.Has(TcpFlags.Ack))
        {
            if (!segment.Has(TcpFlags.Syn) && Settings.SynCookies && TryCompleteCookie(listener, tuple, segment, payload, now)) return;
            RejectWithReset(tuple, segment, payload.Length);
            return;
        }
        if (!segment.Has(TcpFlags.Syn))
        {
            Stats.DroppedInvalid++;
            return;
        }
        if (listener.IsAcceptQueueFull)
        {
            Stats.DroppedListenOverflow++;
            return;
        }
        if (listener.SynQueueCount >= Settings.SynQueueLength)
        {
            if (Settings.SynCookies) SendCookieSynAck(tuple, segment, now);
            else Stats.DroppedListenOverflow++;
            return;
        }
        var connection = new TcpConnection(this, tuple, _isn.Next(tuple, now));
        _connections.Add(tuple, connection);
        connection.StartPassiveOpen(listener, segment, now);
        Finish(connection, now);
    }

    private void SendCookieSynAck(in FourTuple tuple, in TcpRepr syn, Instant now)
    {
        int peerMss = syn.HasMss ? syn.Mss : TcpConnection.DefaultMss;
        int localMss = Math.Clamp(Output.MaxSegmentSize(tuple.RemoteAddress), 64, 65535);
        TcpSeq cookie = _cookies.Create(tuple, syn.SequenceNumber, Math.Min(peerMss, localMss), now, out int mss);
        TcpRepr repr = default;
        repr.SourcePort = tuple.LocalPort;
        repr.DestinationPort = tuple.RemotePort;
        repr.SequenceNumber = cookie;
        repr.AckNumber = syn.SequenceNumber + 1;
        repr.Flags = TcpFlags.Syn | TcpFlags.Ack;
        repr.Window = (ushort)Math.Min(Math.Min(Settings.InitialReceiveWindow, Settings.ReceiveBufferSize), 65535);
        repr.HasMss = true;
        repr.Mss = (ushort)mss;
        // Without timestamps there is nowhere to remember window scaling and SACK: offer neither (as Linux).
        if (Settings.Timestamps && syn.HasTimestamp)
        {
            bool sack = Settings.Sack && syn.SackPermitted;
            int scale = -1;
            if (Settings.WindowScaling && syn.HasWindowScale)
            {
                scale = Math.Min((int)syn.WindowScale, 14);
                repr.HasWindowScale = true;
                repr.WindowScale = (byte)TcpConnection.OfferedWindowScale(Settings);
            }
            repr.SackPermitted = sack;
            repr.HasTimestamp = true;
            repr.TsVal = SynCookies.EncodeTimestamp(TsClock(now), sack, scale);
            repr.TsEcr = syn.TsVal;
        }
        Stats.SynCookiesSent++;
        Transmit(tuple, repr);
    }

    private bool TryCompleteCookie(TcpListenEndpoint listener, in FourTuple tuple, in TcpRepr ack, in Frame payload, Instant now)
    {
        if (!_cookies.TryValidate(tuple, ack.SequenceNumber - 1, ack.AckNumber - 1, now, out int mss))
        {
            Stats.SynCookiesFailed++;
            return false;
        }
        if (listener.IsAcceptQueueFull)
        {
            Stats.DroppedListenOverflow++;
            return true;
        }
        Stats.SynCookiesValidated++;
        var connection = new TcpConnection(this, tuple, ack.AckNumber - 1);
        _connections.Add(tuple, connection);
        connection.StartFromCookie(listener, ack, mss, now);
        connection.OnSegment(ack, payload, now);
        Finish(connection, now);
        return true;
    }

    /// <summary>The reply to a segment nobody wants (RFC 9293 3.10.7.1); never to a RST.</summary>
    private void RejectWithReset(in FourTuple tuple, in TcpRepr segment, int payloadLength)
    {
        if (segment.Has(TcpFlags.Rst)) return;
        if (segment.Has(TcpFlags.Ack)) SendReset(tuple, segment.AckNumber, default, withAck: false);
        else SendReset(tuple, default, segment.SequenceNumber + segment.SegmentLength(payloadLength), withAck: true);
    }

    internal void SendReset(in FourTuple tuple, TcpSeq seq, TcpSeq ack, bool withAck)
    {
        TcpRepr repr = default;
        repr.SourcePort = tuple.LocalPort;
        repr.DestinationPort = tuple.RemotePort;
        repr.SequenceNumber = seq;
        repr.AckNumber = withAck ? ack : default;
        repr.Flags = withAck ? TcpFlags.Rst | TcpFlags.Ack : TcpFlags.Rst;
        Transmit(tuple, repr);
    }

    /// <summary>Hands a segment without payload to the network layer and counts it.</summary>
    internal void Transmit(in FourTuple tuple, in TcpRepr repr)
    {
        Stats.SegmentsSent++;
        if (repr.Has(TcpFlags.Rst)) Stats.ResetsSent++;
        if (!Output.SendSegment(tuple.LocalAddress, tuple.RemoteAddress, repr, default, default)) Stats.SendFailures++;
    }

    /// <summary>Hands a segment carrying bytes of <paramref name="data"/> to the network layer and counts it, by how it went.</summary>
    internal void TransmitData(in FourTuple tuple, in TcpRepr repr, TcpSendBuffer data, int offset, int length)
    {
        Stats.SegmentsSent++;
        switch (Output.SendSegment(tuple.LocalAddress, tuple.RemoteAddress, repr, data, offset, length))
        {
            case TcpSendOutcome.InPlace:
                Stats.SegmentsSentInPlace++;
                break;
            case TcpSendOutcome.Copied:
                Stats.SegmentsSentCopied++;
                break;
            default:
                Stats.SendFailures++;
                break;
        }
    }

    /// <summary>RFC 5961 7: a global budget of challenge ACKs per second.</summary>
    internal bool TryTakeChallengeAck(Instant now)
    {
        long second = now.Microseconds / 1_000_000;
        if (second != _challengeSecond)
        {
            _challengeSecond = second;
            _challengeCount = 0;
        }
        if (_challengeCount >= Settings.ChallengeAckLimit) return false;
        _challengeCount++;
        return true;
    }

    /// <summary>Runs due timers, then emits the output of every connection that has some pending.</summary>
    public void Poll(Instant now)
    {
        if (_disposed) return;
        Now = now;
        Wheel.Advance(now);
        for (int i = 0; i < _pendingOutput.Count; i++)
        {
            TcpConnection connection = _pendingOutput[i];
            if (!connection.IsPendingOutput) continue;
            connection.IsPendingOutput = false;
            connection.Output(now);
            connection.RefreshTimer();
            DispatchLater(connection);
        }
        _pendingOutput.Clear();
        FlushEvents();
    }

    internal void MarkPendingOutput(TcpConnection connection)
    {
        if (connection.IsPendingOutput || connection.State == TcpState.Closed) return;
        connection.IsPendingOutput = true;
        _pendingOutput.Add(connection);
    }

    /// <summary>Queues a connection whose observers should hear about what just happened.</summary>
    internal void DispatchLater(TcpConnection connection) => _pendingEvents.Add(connection);

    private void Finish(TcpConnection connection, Instant now)
    {
        // Output now; a stale entry in the pending list is skipped by Poll.
        connection.IsPendingOutput = false;
        connection.Output(now);
        connection.RefreshTimer();
        DispatchLater(connection);
    }

    private void FlushEvents()
    {
        // Observers may cause more events (or more output, which Poll picks up).
        for (int i = 0; i < _pendingEvents.Count; i++) _pendingEvents[i].DispatchEvents();
        _pendingEvents.Clear();
    }

    internal void Remove(TcpConnection connection)
    {
        if (_connections.TryGetValue(connection.Tuple, out TcpConnection? existing) && existing == connection)
            _connections.Remove(connection.Tuple);
        Wheel.Cancel(connection.TimerEntry);
    }

    internal void RemoveListener(TcpListenEndpoint listener)
    {
        var key = new ListenerKey(listener.LocalAddress, listener.LocalPort);
        if (_listeners.TryGetValue(key, out TcpListenEndpoint? existing) && existing == listener) _listeners.Remove(key);
        List<TcpConnection>? halfOpen = null;
        foreach (TcpConnection connection in _connections.Values)
        {
            if (connection.Listener == listener) (halfOpen ??= []).Add(connection);
        }
        if (halfOpen is null) return;
        foreach (TcpConnection connection in halfOpen)
        {
            connection.Listener = null;
            connection.Abort();
        }
    }

    /// <summary>Drops every connection and listener and gives back every buffer; sends nothing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var connections = new List<TcpConnection>(_connections.Values);
        foreach (TcpConnection connection in connections) connection.Terminate();
        foreach (TcpConnection connection in connections) connection.ReleaseBuffers();
        _connections.Clear();
        _listeners.Clear();
        _pendingOutput.Clear();
        _pendingEvents.Clear();
    }
}

using System.Buffers;
using System.Net.Sockets;
using Junction.Stack.Tcp.Congestion;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// One TCP connection (RFC 9293). Methods are called on the thread that drives the stack; they never send
/// directly but change buffers and state and mark the connection for output, which the next
/// <c>Poll</c> (or incoming segment) emits.
/// </summary>
public sealed partial class TcpConnection : IDisposable
{
    private readonly TcpLayer _layer;
    private readonly TcpSettings _settings;
    private readonly ConnectionTimer _timer;
    private readonly TcpSendBuffer _send;
    private readonly TcpReceiveBuffer _recv;
    private readonly RttEstimator _rtt;
    private readonly SackScoreboard _scoreboard = new();
    private CongestionController _cc;

    private TcpState _state;
    private SocketError _error;
    private bool _errorReported;
    private bool _closedByUser;
    private bool _buffersReleased;
    private PendingEvents _events;

    internal TcpConnection(TcpLayer layer, in FourTuple tuple, TcpSeq iss)
    {
        _layer = layer;
        _settings = layer.Settings;
        Tuple = tuple;
        _timer = new ConnectionTimer(this);
        _send = new TcpSendBuffer(layer.Output.FramePool, _settings.SendBufferSize);
        _recv = new TcpReceiveBuffer(_settings.ReceiveBufferSize);
        _rtt = new RttEstimator(_settings.InitialRto, _settings.MinRto, _settings.MaxRto);
        _cc = CongestionControllerFactory.Create(_settings.CongestionControl, DefaultMss, _settings.InitialWindowSegments);
        NoDelay = _settings.NoDelay;
        KeepAliveTime = _settings.KeepAliveTime;
        KeepAliveInterval = _settings.KeepAliveInterval;
        KeepAliveProbes = _settings.KeepAliveProbes;
        _quickAcks = _settings.QuickAckSegments;
        _rcvWindowClamp = Math.Min(_settings.InitialReceiveWindow, _settings.ReceiveBufferSize);
        _rcvScale = _settings.WindowScaling ? OfferedWindowScale(_settings) : 0;
        _iss = iss;
        _sndUna = iss;
        _sndNxt = iss;
        _sndMax = iss;
        _bufferSeq = iss + 1;
        _recover = iss - 1;
        _sndSml = iss;
    }

    [Flags]
    private enum PendingEvents
    {
        None = 0,
        Connected = 1,
        Readable = 2,
        Writable = 4,
        Closed = 8,
        Acceptable = 16,
    }

    internal FourTuple Tuple { get; }

    internal TimerEntry TimerEntry => _timer;

    /// <summary>The listener that owns this connection until the application accepts it.</summary>
    internal TcpListenEndpoint? Listener { get; set; }

    /// <summary>Whether the connection is in the layer's pending-output list.</summary>
    internal bool IsPendingOutput { get; set; }

    /// <summary>The local address.</summary>
    public Ipv4Address LocalAddress => Tuple.LocalAddress;

    /// <summary>The local port.</summary>
    public ushort LocalPort => Tuple.LocalPort;

    /// <summary>The peer's address.</summary>
    public Ipv4Address RemoteAddress => Tuple.RemoteAddress;

    /// <summary>The peer's port.</summary>
    public ushort RemotePort => Tuple.RemotePort;

    /// <summary>The connection's state.</summary>
    public TcpState State => _state;

    /// <summary>Why the connection failed (ConnectionRefused, ConnectionReset, TimedOut...); Success otherwise.</summary>
    public SocketError Error => _error;

    /// <summary>Receives this connection's events.</summary>
    public ITcpConnectionObserver? Observer { get; set; }

    /// <summary>Whether Nagle's algorithm is disabled (small segments go out at once).</summary>
    public bool NoDelay
    {
        get;
        set
        {
            field = value;
            if (value) MarkPendingOutput();
        }
    }

    /// <summary>Whether keepalive probes are sent on an idle connection.</summary>
    public bool KeepAlive
    {
        get;
        set
        {
            field = value;
            _keepAliveDeadline = value && IsSynchronized ? _lastReceived + KeepAliveTime : Instant.Never;
            RefreshTimer();
        }
    }

    /// <summary>
    /// Idle time before the first keepalive probe. Changing it while keepalive is on re-arms the timer from the last
    /// segment received, as Linux's TCP_KEEPIDLE does.
    /// </summary>
    public TimeSpan KeepAliveTime
    {
        get;
        set
        {
            field = value;
            if (!KeepAlive || !IsSynchronized) return;
            Instant due = _lastReceived + value;
            Instant now = _layer.Now;
            _keepAliveDeadline = due > now ? due : now;
            RefreshTimer();
        }
    }

    /// <summary>Time between unanswered keepalive probes.</summary>
    public TimeSpan KeepAliveInterval { get; set; }

    /// <summary>Unanswered probes before the connection fails with TimedOut.</summary>
    public int KeepAliveProbes { get; set; }

    /// <summary>
    /// The receive buffer size: the bound of the advertised window. It may be raised after the handshake; the
    /// window scale was fixed on the SYN from <see cref="TcpSettings.MaxReceiveBufferSize"/>, which bounds what can be advertised.
    /// </summary>
    public int ReceiveBufferSize
    {
        get => _recv.Capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            if (_buffersReleased) return;
            _recv.Capacity = Math.Max(value, _recv.Available + _recv.OutOfOrderBytes);
            _rcvWindowClamp = Math.Min(_rcvWindowClamp, _recv.Capacity);
        }
    }

    /// <summary>The send buffer size: unacknowledged plus unsent bytes.</summary>
    public int SendBufferSize
    {
        get => _send.Capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            if (_buffersReleased) return;
            _send.Capacity = Math.Max(value, _send.Count);
        }
    }

    /// <summary>In-order bytes ready to be read.</summary>
    public int ReceiveAvailable => _buffersReleased ? 0 : _recv.Available;

    /// <summary>Bytes <see cref="Send"/> would accept now.</summary>
    public int SendFree => _buffersReleased || _finQueued ? 0 : _send.Writable;

    /// <summary>Bytes queued for sending: unacknowledged plus unsent.</summary>
    public int SendQueued => _buffersReleased ? 0 : _send.Count;

    /// <summary>Whether the peer's FIN arrived and every byte before it was read (end of stream).</summary>
    public bool IsReceiveComplete => _finReceived && ReceiveAvailable == 0;

    /// <summary>Whether the peer's FIN arrived (bytes before it may still be unread).</summary>
    internal bool FinReceived => _finReceived;

    /// <summary>The smoothed round-trip time (zero before the first sample).</summary>
    public TimeSpan SmoothedRtt => _rtt.SmoothedRtt;

    /// <summary>The congestion window in bytes.</summary>
    public int CongestionWindow => _cc.Window;

    /// <summary>Segments this connection retransmitted.</summary>
    public long Retransmissions { get; private set; }

    /// <summary>The largest payload this side puts in one segment (after options).</summary>
    public int Mss => _mss;

    private bool IsSynchronized => _state is TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2
        or TcpState.CloseWait or TcpState.Closing or TcpState.LastAck;

    /// <summary>
    /// Queues bytes for sending. Returns how many were taken (0 when the buffer is full).
    /// Throws like a socket send: NotConnected before the handshake completed, Shutdown after
    /// <see cref="ShutdownSend"/>, the failure reason after a reset or timeout.
    /// </summary>
    public int Send(ReadOnlySpan<byte> data)
    {
        if (_error != SocketError.Success) throw new SocketException((int)_error);
        if (_finQueued || _closedByUser) throw new SocketException((int)SocketError.Shutdown);
        if (_state is not (TcpState.Established or TcpState.CloseWait)) throw new SocketException((int)SocketError.NotConnected);
        int taken = _send.Write(data);
        if (taken > 0) MarkPendingOutput();
        return taken;
    }

    /// <summary>
    /// Reads received bytes. Returns 0 when none are available (see <see cref="IsReceiveComplete"/> for end of stream).
    /// After a reset or timeout it throws once with the reason, like recv.
    /// </summary>
    public int Receive(Span<byte> destination)
    {
        if (_error != SocketError.Success && !_errorReported)
        {
            _errorReported = true;
            throw new SocketException((int)_error);
        }
        if (_buffersReleased || destination.IsEmpty) return 0;
        int read = _recv.Read(destination);
        if (read > 0 && IsSynchronized && !_finReceived && ShouldSendWindowUpdate())
        {
            _ackNow = true;
            MarkPendingOutput();
        }
        return read;
    }

    /// <summary>
    /// Queues bytes [<paramref name="start"/>, <paramref name="end"/>) a writer put into frame <paramref name="index"/>
    /// of the device's pool (see <see cref="TcpSendBuffer.AppendFrame"/>); the writer keeps its own reference and, with
    /// <paramref name="open"/>, may go on filling the frame. Throws like <see cref="Send"/>.
    /// </summary>
    internal void AppendSendFrame(int index, int start, int end, bool open)
    {
        if (_error != SocketError.Success) throw new SocketException((int)_error);
        if (_finQueued || _closedByUser) throw new SocketException((int)SocketError.Shutdown);
        if (_state is not (TcpState.Established or TcpState.CloseWait)) throw new SocketException((int)SocketError.NotConnected);
        _send.AppendFrame(index, start, end, open);
        if (end > start) MarkPendingOutput();
    }

    /// <summary>The writer stopped filling frame <paramref name="index"/>.</summary>
    internal void CloseSendFrame(int index)
    {
        if (!_sendReleased) _send.CloseFrame(index);
    }

    /// <summary>Whether bytes of the writer's open frame <paramref name="index"/> were sent (read from the writer's thread).</summary>
    internal bool IsSendFrameSealed(int index) => _send.IsFrameSealed(index);

    /// <summary>Whether the send buffer still takes bytes (it was not released by a close, reset or TIME-WAIT).</summary>
    internal bool CanQueueSend => !_sendReleased && _state != TcpState.Closed;

    /// <summary>Lends received frames to a reader on another thread (see <see cref="TcpReceiveBuffer.BeginLend"/>).</summary>
    internal void BeginReceiveLend()
    {
        if (!_buffersReleased) _recv.BeginLend();
    }

    /// <summary>The reader is done with every sequence it got: frames of a released buffer go back now.</summary>
    internal void EndReceiveLend() => _recv.EndLend();

    /// <summary>The readable bytes as a sequence over the frames they arrived in (valid until the next change of the buffer).</summary>
    internal ReadOnlySequence<byte> PeekReceived() => _buffersReleased ? ReadOnlySequence<byte>.Empty : _recv.PeekSequence();

    /// <summary>Consumes up to <paramref name="count"/> readable bytes without copying, like <see cref="Receive"/> does.</summary>
    /// <returns>How many bytes were consumed.</returns>
    internal int ConsumeReceived(int count)
    {
        if (_buffersReleased || count == 0) return 0;
        int consumed = _recv.Discard(count);
        if (consumed > 0 && IsSynchronized && !_finReceived && ShouldSendWindowUpdate())
        {
            _ackNow = true;
            MarkPendingOutput();
        }
        return consumed;
    }

    /// <summary>Sends a FIN after the queued data; the connection can still receive (half-close).</summary>
    public void ShutdownSend()
    {
        if (_error != SocketError.Success) throw new SocketException((int)_error);
        switch (_state)
        {
            case TcpState.Established:
                _state = TcpState.FinWait1;
                break;
            case TcpState.CloseWait:
                _state = TcpState.LastAck;
                break;
            case TcpState.SynSent:
            case TcpState.SynReceived:
            case TcpState.Closed:
            case TcpState.Listen:
                throw new SocketException((int)SocketError.NotConnected);
            default:
                return;
        }
        _finQueued = true;
        MarkPendingOutput();
    }

    /// <summary>
    /// Closes gracefully: FIN after queued data. If received data was left unread, the peer is reset instead
    /// (RFC 2525, as Linux does) so that it learns the data was lost.
    /// </summary>
    public void Close()
    {
        if (_closedByUser) return;
        _closedByUser = true;
        switch (_state)
        {
            case TcpState.Closed:
                ReleaseBuffers();
                return;
            case TcpState.SynSent:
                EnterClosed(SocketError.Success);
                return;
            case TcpState.SynReceived:
                Abort();
                return;
            case TcpState.Established:
            case TcpState.CloseWait:
                if (!_buffersReleased && _recv.Available > 0)
                {
                    Abort();
                    return;
                }
                _state = _state == TcpState.Established ? TcpState.FinWait1 : TcpState.LastAck;
                _finQueued = true;
                MarkPendingOutput();
                return;
            case TcpState.FinWait2:
                // Linux tcp_fin_timeout: an orphaned FIN_WAIT_2 does not wait forever for the peer's FIN.
                _timeWaitDeadline = _layer.Now + _settings.TimeWaitDuration;
                RefreshTimer();
                return;
            case TcpState.TimeWait:
                ReleaseReceiveBuffer();
                return;
            default:
                return;
        }
    }

    /// <summary>Resets the connection now (RST to the peer if synchronized) and enters Closed.</summary>
    public void Abort()
    {
        if (_state == TcpState.Closed)
        {
            ReleaseBuffers();
            return;
        }
        _closedByUser = true;
        if (_state is not (TcpState.SynSent or TcpState.TimeWait))
        {
            SendSegment(_sndMax, TcpFlags.Rst | TcpFlags.Ack, _layer.Now);
        }
        EnterClosed(SocketError.Success);
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    /// <summary>The sequence, window and timer state in one line, for test failure messages and debugging.</summary>
    internal string DescribeState() =>
        $"{Tuple} {_state} una={_sndUna} nxt={_sndNxt} max={_sndMax} queued={(_sendReleased ? 0 : _send.Count)} unsent={UnsentBytes} fin={_finQueued} " +
        $"snd.wnd={_sndWnd} cwnd={_cc.Window} recovery={_inRecovery} rto={_rtoDeadline} persist={_persistDeadline} timer={(_timer.IsScheduled ? _timer.Deadline.ToString() : "off")} | " +
        $"rcv.nxt={_rcvNxt} offered={_rcvAdv - _rcvNxt} last.ack={_lastAckSent} available={ReceiveAvailable} " +
        $"ooo={(_buffersReleased ? 0 : _recv.OutOfOrderBytes)} window={ReceiveWindow()} ack.now={_ackNow} dack={_delayedAckDeadline}";

    /// <inheritdoc/>
    public override string ToString() => $"{Tuple} {_state}";

    private void MarkPendingOutput() => _layer.MarkPendingOutput(this);

    /// <summary>The window scale our SYN offers: enough for the largest receive buffer a connection may get (as Linux).</summary>
    internal static int OfferedWindowScale(TcpSettings settings) =>
        WindowScaleFor(Math.Max(settings.ReceiveBufferSize, settings.MaxReceiveBufferSize));

    /// <summary>The smallest shift that lets the window field describe <paramref name="bufferSize"/> (at most 14, RFC 7323).</summary>
    internal static int WindowScaleFor(int bufferSize)
    {
        int shift = 0;
        while (shift < 14 && (bufferSize >> shift) > 65535) shift++;
        return shift;
    }

    /// <summary>Goes to Closed: stops timers, leaves the demux table, keeps unread data unless failed or closed by the user.</summary>
    private void EnterClosed(SocketError error)
    {
        if (_state == TcpState.Closed) return;
        bool wasEstablished = _state is TcpState.Established or TcpState.CloseWait;
        if (_state is TcpState.SynSent or TcpState.SynReceived && error != SocketError.Success) _layer.Stats.AttemptFails++;
        if (wasEstablished && error == SocketError.ConnectionReset) _layer.Stats.EstablishedResets++;
        if (_countedInSynQueue && Listener is not null)
        {
            Listener.SynQueueCount--;
            _countedInSynQueue = false;
        }
        _state = TcpState.Closed;
        _error = error;
        _rtoDeadline = _delayedAckDeadline = _persistDeadline = _keepAliveDeadline = _timeWaitDeadline = Instant.Never;
        _reorderDeadline = _lossProbeDeadline = Instant.Never;
        _ackNow = false;
        _layer.Remove(this);
        ReleaseSendBuffer();
        if (error != SocketError.Success || _closedByUser) ReleaseReceiveBuffer();
        _events |= PendingEvents.Closed;
        _layer.DispatchLater(this);
    }

    private void ReleaseSendBuffer()
    {
        if (!_sendReleased)
        {
            _sendReleased = true;
            _send.Dispose();
            _rack.Dispose();
        }
    }

    private void ReleaseReceiveBuffer()
    {
        if (!_buffersReleased)
        {
            _buffersReleased = true;
            _recv.Dispose();
        }
    }

    /// <summary>Gives back every buffer (the layer is going away, or the application is done).</summary>
    internal void ReleaseBuffers()
    {
        ReleaseSendBuffer();
        ReleaseReceiveBuffer();
    }

    /// <summary>Drops the connection without a word (layer disposal, TIME_WAIT reuse).</summary>
    internal void Terminate()
    {
        _closedByUser = true;
        EnterClosed(SocketError.Success);
        _events = PendingEvents.None;
    }

    /// <summary>Runs the observers for what happened since the last call.</summary>
    internal void DispatchEvents()
    {
        PendingEvents events = _events;
        if (events == PendingEvents.None) return;
        _events = PendingEvents.None;
        if ((events & PendingEvents.Acceptable) != 0)
        {
            TcpListenEndpoint? listener = Listener;
            if (listener is null || listener.IsDisposed) Abort();
            else listener.Enqueue(this);
        }
        ITcpConnectionObserver? observer = Observer;
        if (observer is null) return;
        if ((events & PendingEvents.Connected) != 0) observer.OnConnected(this);
        if ((events & PendingEvents.Readable) != 0) observer.OnReadable(this);
        if ((events & PendingEvents.Writable) != 0) observer.OnWritable(this);
        if ((events & PendingEvents.Closed) != 0) observer.OnClosed(this);
    }
}

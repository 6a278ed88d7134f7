using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>Sequence-space state and the opening handshake: SYN options and their negotiation.</summary>
public sealed partial class TcpConnection
{
    /// <summary>The MSS assumed when the peer sent no MSS option (RFC 9293 3.7.1).</summary>
    internal const int DefaultMss = 536;

    private const int TimestampOptionLength = 12;

    // Send sequence space (RFC 9293 3.3.1). _sndMax is the highest sequence number sent; _sndNxt may move back
    // below it to retransmit after a timeout. _bufferSeq is the sequence number of the send buffer's first byte.
    private readonly TcpSeq _iss;
    private TcpSeq _sndUna;
    private TcpSeq _sndNxt;
    private TcpSeq _sndMax;
    private TcpSeq _sndWl1;
    private TcpSeq _bufferSeq;
    private TcpSeq _sndSml;
    private int _sndWnd;
    private int _maxSndWnd;
    private bool _finQueued;
    private bool _sendReleased;

    // Receive sequence space. _rcvAdv is the right edge of the window advertised last (never moved left);
    // _lastAckSent is RCV.NXT as last acknowledged (Linux rcv_wup).
    private TcpSeq _irs;
    private TcpSeq _rcvNxt;
    private TcpSeq _rcvAdv;
    private TcpSeq _lastAckSent;
    private int _rcvWindowClamp;
    private int _rcvMss = DefaultMss;
    private bool _finReceived;
    private bool _peerFinPending;
    private TcpSeq _peerFinSeq;

    // Negotiated options.
    private bool _wsOk;
    private int _sndScale;
    private int _rcvScale;
    private bool _tsOk;
    private bool _sackOk;
    private int _mss = DefaultMss;
    private int _mssClamp = DefaultMss;
    private uint _tsRecent;
    private Instant _tsRecentAge;

    private bool _countedInSynQueue;

    /// <summary>Starts an active open: the SYN goes out on the next output.</summary>
    internal void StartActiveOpen(Instant now)
    {
        _state = TcpState.SynSent;
        _lastReceived = now;
        _layer.Stats.ActiveOpens++;
        MarkPendingOutput();
    }

    /// <summary>Starts a passive open from a SYN that reached <paramref name="listener"/>; the SYN-ACK goes out at once.</summary>
    internal void StartPassiveOpen(TcpListenEndpoint listener, in TcpRepr syn, Instant now)
    {
        Listener = listener;
        listener.SynQueueCount++;
        _countedInSynQueue = true;
        _state = TcpState.SynReceived;
        _lastReceived = now;
        AcceptPeerSyn(syn, now);
        NegotiateFromSyn(syn);
        MarkPendingOutput();
    }

    /// <summary>
    /// Creates the state a SYN cookie stood for (RFC 4987): the handshake ACK carries our ISN + 1 and the peer's
    /// ISN + 1; the options come back encoded in the timestamp echo, when the peer uses timestamps.
    /// </summary>
    internal void StartFromCookie(TcpListenEndpoint listener, in TcpRepr ack, int mss, Instant now)
    {
        Listener = listener;
        listener.SynQueueCount++;
        _countedInSynQueue = true;
        _state = TcpState.SynReceived;
        _lastReceived = now;
        _irs = ack.SequenceNumber - 1;
        _rcvNxt = ack.SequenceNumber;
        _lastAckSent = _rcvNxt;
        _rcvAdv = _rcvNxt + SynWindow();
        _sndNxt = _sndMax = _iss + 1;
        int windowScale = -1;
        bool sack = false;
        if (ack.HasTimestamp && _settings.Timestamps && SynCookies.TryDecodeTimestamp(ack.TsEcr, out sack, out windowScale))
        {
            _tsOk = true;
            _tsRecent = ack.TsVal;
            _tsRecentAge = now;
        }
        _sackOk = sack && _settings.Sack;
        _wsOk = windowScale >= 0 && _settings.WindowScaling;
        if (_wsOk) _sndScale = Math.Min(windowScale, 14);
        else _rcvScale = 0;
        SetMss(mss);
    }

    private void AcceptPeerSyn(in TcpRepr syn, Instant now)
    {
        _irs = syn.SequenceNumber;
        _rcvNxt = _irs + 1;
        _lastAckSent = _rcvNxt;
        _rcvAdv = _rcvNxt + SynWindow();
        if (syn.HasTimestamp)
        {
            _tsRecent = syn.TsVal;
            _tsRecentAge = now;
        }
    }

    /// <summary>
    /// Settles the options once the peer's SYN is known: an option is on when our settings allow it and the peer
    /// offered it (an active opener offered everything its settings allow).
    /// </summary>
    private void NegotiateFromSyn(in TcpRepr syn)
    {
        _tsOk = _settings.Timestamps && syn.HasTimestamp;
        _sackOk = _settings.Sack && syn.SackPermitted;
        _wsOk = _settings.WindowScaling && syn.HasWindowScale;
        if (_wsOk)
        {
            _sndScale = Math.Min((int)syn.WindowScale, 14);
        }
        else
        {
            _sndScale = 0;
            _rcvScale = 0;
        }
        SetMss(syn.HasMss ? syn.Mss : DefaultMss);
    }

    private void SetMss(int peerMss)
    {
        int local = LocalMss();
        _mssClamp = Math.Max(Math.Min(peerMss, local), 64);
        _mss = _mssClamp - (_tsOk ? TimestampOptionLength : 0);
        _rcvMss = Math.Min(DefaultMss, _mss);
        _cc = Congestion.CongestionControllerFactory.Create(_settings.CongestionControl, _mss, _settings.InitialWindowSegments);
    }

    private int LocalMss() => Math.Clamp(_layer.Output.MaxSegmentSize(Tuple.RemoteAddress), 64, 65535);

    /// <summary>The window on SYN and SYN-ACK: never scaled (RFC 7323 2.2).</summary>
    private int SynWindow() => Math.Min(Math.Min(_rcvWindowClamp, _settings.ReceiveBufferSize), 65535);

    /// <summary>Sends our SYN (active open) or SYN-ACK (passive or simultaneous open) with its options.</summary>
    private void SendSyn(Instant now)
    {
        bool synAck = _state == TcpState.SynReceived;
        TcpRepr repr = default;
        repr.SourcePort = Tuple.LocalPort;
        repr.DestinationPort = Tuple.RemotePort;
        repr.SequenceNumber = _iss;
        repr.Flags = synAck ? TcpFlags.Syn | TcpFlags.Ack : TcpFlags.Syn;
        repr.Window = (ushort)SynWindow();
        repr.HasMss = true;
        repr.Mss = (ushort)LocalMss();
        if (synAck)
        {
            repr.AckNumber = _rcvNxt;
            repr.SackPermitted = _sackOk;
            if (_wsOk)
            {
                repr.HasWindowScale = true;
                repr.WindowScale = (byte)_rcvScale;
            }
            if (_tsOk)
            {
                repr.HasTimestamp = true;
                repr.TsVal = _layer.TsClock(now);
                repr.TsEcr = _tsRecent;
            }
        }
        else
        {
            repr.SackPermitted = _settings.Sack;
            if (_settings.WindowScaling)
            {
                repr.HasWindowScale = true;
                repr.WindowScale = (byte)_rcvScale;
            }
            if (_settings.Timestamps)
            {
                repr.HasTimestamp = true;
                repr.TsVal = _layer.TsClock(now);
            }
        }
        bool retransmission = _sndMax != _iss;
        if (retransmission)
        {
            _layer.Stats.SegmentsRetransmitted++;
            Retransmissions++;
        }
        else
        {
            _rttTiming = true;
            _rttSeq = _iss;
            _rttStart = now;
        }
        if (repr.Has(TcpFlags.Ack)) NoteAckSent();
        _layer.Transmit(Tuple, repr);
        _sndNxt = _iss + 1;
        _sndMax = _sndNxt;
        if (_rtoDeadline == Instant.Never) _rtoDeadline = now + _rtt.Rto;
    }
}

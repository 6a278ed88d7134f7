using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>Segment output: what may be sent now (windows, Nagle, silly-window avoidance), and the headers.</summary>
public sealed partial class TcpConnection
{
    private bool _ackNow;
    private bool _forceSend;
    private int _quickAcks;

    // RTT timing of one segment at a time (Karn's rule: never a retransmitted one).
    private bool _rttTiming;
    private TcpSeq _rttSeq;
    private Instant _rttStart;

    /// <summary>Emits every segment that is due: handshake, data within the windows, FIN, pending ACK.</summary>
    internal void Output(Instant now)
    {
        switch (_state)
        {
            case TcpState.Closed:
            case TcpState.Listen:
                _ackNow = false;
                return;
            case TcpState.SynSent:
            case TcpState.SynReceived:
                if (_sndNxt == _iss) SendSyn(now);
                else if (_ackNow && _state == TcpState.SynReceived) SendSegment(_sndNxt, TcpFlags.Ack, now);
                _ackNow = false;
                return;
            case TcpState.TimeWait:
                if (_ackNow) SendSegment(_sndMax, TcpFlags.Ack, now);
                return;
        }

        TcpSeq sentBefore = _sndMax;
        while (TrySendSegment(now))
        {
        }
        if (_sndMax != sentBefore) ScheduleLossProbe(now);
        // A pure ACK carries the highest sequence number sent, never SND.NXT after a timeout moved it back: the
        // peer has acknowledged past that point and would drop the ACK as old (its end lies before RCV.WUP).
        if (_ackNow) SendSegment(_sndMax, TcpFlags.Ack, now);
        UpdatePersistTimer(now);
    }

    private int UnsentBytes => _sendReleased ? 0 : Math.Max((_bufferSeq + _send.Count) - _sndNxt, 0);

    /// <summary>Whether our FIN still has to go out at <see cref="_sndNxt"/>.</summary>
    private bool FinToSend => _finQueued && _sndNxt <= FinSeq;

    /// <summary>The sequence number of our FIN (valid once queued: the send buffer no longer grows).</summary>
    private TcpSeq FinSeq => _bufferSeq + (_sendReleased ? 0 : _send.Count);

    private bool FinAcked => _finQueued && _sndUna > FinSeq;

    private bool CanSendData => _state is TcpState.Established or TcpState.CloseWait or TcpState.FinWait1
        or TcpState.Closing or TcpState.LastAck;

    /// <summary>Payload room in one segment, minus room for the SACK blocks we would attach.</summary>
    private int SegmentPayloadLimit()
    {
        if (!_sackOk || _buffersReleased || (_recv.OutOfOrderBytes == 0 && !_dsackPending)) return _mss;
        return Math.Max(_mss - (_tsOk ? 28 : 36), 1);
    }

    /// <summary>Sends one segment if the windows, Nagle and SWS avoidance allow; false when nothing went out.</summary>
    private bool TrySendSegment(Instant now)
    {
        if (!CanSendData) return false;
        int cwnd = _cc.Window + _recoveryInflation;
        int flight;
        if (_inRecovery && _sackOk)
        {
            if (RackActive)
            {
                // RACK marks what is lost (retransmissions included); pipe counts what is still in the network.
                flight = RackPipe();
                bool? resent = TryRetransmitLost(cwnd, flight, now);
                if (resent is { } r) return r;
                if (cwnd - flight < _mss) return false;
            }
            else
            {
                // RFC 6675 5: send while cwnd - pipe >= 1 SMSS, lost segments first (NextSeg rule 1), then new data.
                flight = _scoreboard.Pipe(_sndUna, _sndMax, _highRxt, _mss);
                if (cwnd - flight < _mss) return false;
                TcpSeq from = TcpSeq.Max(_highRxt, _sndUna);
                if (_scoreboard.TryGetNextLostRange(from, _sndUna, _mss, _mss, out TcpSeq lostStart, out int lostLength))
                {
                    RetransmitAt(lostStart, lostLength, now);
                    _highRxt = TcpSeq.Max(_highRxt, lostStart + lostLength);
                    return true;
                }
            }
            if (_sndNxt < _sndMax) _sndNxt = _sndMax;
        }
        else
        {
            flight = _sndNxt - _sndUna;
            if (RackActive)
            {
                // After a timeout: a resent segment RACK found lost again goes out before the go-back-N resend moves on.
                bool? resent = TryRetransmitLost(cwnd, flight, now);
                if (resent is { } r) return r;
            }
        }
        if (RackActive && _rack.IsFull && _sndNxt >= _sndMax) return false; // the loss log is full: wait for ACKs

        TcpSeq dataEnd = _bufferSeq + (_sendReleased ? 0 : _send.Count);
        int unsent = Math.Max(dataEnd - _sndNxt, 0);
        bool finToSend = FinToSend;
        if (unsent == 0 && !finToSend) return false;

        int maxSegment = SegmentPayloadLimit();
        int windowRoom = _sndWnd - (_sndNxt - _sndUna);
        int cwndRoom = _lossProbeSendsNewData ? int.MaxValue : cwnd - flight; // a probe ignores cwnd (RFC 8985 7.3)
        int room = Math.Min(windowRoom, cwndRoom);
        int length = Math.Min(unsent, maxSegment);
        // A segment ends where a frame a writer filled ends, so that it can leave from that frame. Such a segment is
        // as good as a full one for Nagle and silly-window avoidance: more data follows it right away.
        int frameLimit = FrameLimit(length);
        bool endsFrame = frameLimit < length;
        length = frameLimit;
        if (length > room)
        {
            length = Math.Max(room, 0);
            endsFrame = false;
        }
        if (length == 0 && _forceSend && _sndNxt == _sndUna && _sndMax > _sndUna)
        {
            // After a timeout the first unacknowledged segment goes out even if the peer's window closed under data
            // already sent (RFC 1122 4.2.2.16, as Linux): its answer carries the window, else nothing would ever come.
            length = FrameLimit(Math.Min(Math.Min(unsent, maxSegment), _sndMax - _sndUna));
        }
        bool fin = finToSend && _sndNxt + length == dataEnd && (length > 0 || cwndRoom > 0 || _forceSend);
        if (length == 0 && !fin) return false;

        bool retransmission = _sndNxt < _sndMax;
        if (length > 0 && length < maxSegment && !fin && !retransmission && !_forceSend && !endsFrame)
        {
            if (length < unsent)
            {
                // Window-limited (RFC 9293 3.8.6.2.1): only send a partial segment when it is at least half the
                // largest window the peer offered; the persist timer forces it otherwise.
                if (windowRoom > cwndRoom || length < _maxSndWnd / 2) return false;
            }
            else if (!NoDelay && _sndSml > _sndUna && _sndNxt > _sndUna)
            {
                // Nagle with Minshall's refinement (Linux): hold a small segment while an earlier small one is unacknowledged.
                return false;
            }
        }
        _forceSend = false;

        TcpSeq seq = _sndNxt;
        EmitData(seq, length, fin, now);
        if (retransmission)
        {
            CountRetransmission();
        }
        else if (!_rttTiming && !_tsOk && length > 0)
        {
            _rttTiming = true;
            _rttSeq = seq;
            _rttStart = now;
        }
        _sndNxt = seq + length + (fin ? 1 : 0);
        if (_sndNxt > _sndMax) _sndMax = _sndNxt;
        if (length < _mss) _sndSml = _sndNxt;
        if (_rtoDeadline == Instant.Never) _rtoDeadline = now + _rtt.Rto;
        _persistDeadline = Instant.Never;
        return true;
    }

    /// <summary>How much of <paramref name="length"/> bytes from SND.NXT fit before the end of a writer's frame.</summary>
    private int FrameLimit(int length) => length <= 0 ? length : _send.SegmentLimit(_sndNxt - _bufferSeq, length);

    /// <summary>Sends [seq, seq+length) again (clipped to the data), with the FIN if it ends there.</summary>
    private void RetransmitAt(TcpSeq seq, int length, Instant now)
    {
        TcpSeq dataEnd = FinSeq;
        int available = Math.Max(dataEnd - seq, 0);
        if (length > available) length = available;
        bool fin = _finQueued && _sndMax > dataEnd && seq + length == dataEnd;
        if (length == 0 && !fin) return;
        EmitData(seq, length, fin, now);
        CountRetransmission();
        if (_rtoDeadline == Instant.Never) _rtoDeadline = now + _rtt.Rto;
    }

    private void CountRetransmission()
    {
        _layer.Stats.SegmentsRetransmitted++;
        Retransmissions++;
        _rttTiming = false;
    }

    private void EmitData(TcpSeq seq, int length, bool fin, Instant now)
    {
        TcpFlags flags = TcpFlags.Ack;
        if (length > 0 && seq + length == _bufferSeq + _send.Count) flags |= TcpFlags.Psh;
        if (fin) flags |= TcpFlags.Fin;
        if (RackActive && !_sendReleased) _rack.OnSend(seq, seq + length + (fin ? 1 : 0), now);
        SendSegment(seq, flags, length, now);
    }

    /// <summary>Sends a segment without payload.</summary>
    private void SendSegment(TcpSeq seq, TcpFlags flags, Instant now) => SendSegment(seq, flags, 0, now);

    /// <summary>
    /// Builds the header (ACK, window, timestamps, SACK blocks) and hands the segment to the output, with
    /// <paramref name="length"/> bytes of the send buffer from <paramref name="seq"/> on as payload.
    /// </summary>
    private void SendSegment(TcpSeq seq, TcpFlags flags, int length, Instant now)
    {
        TcpRepr repr = default;
        repr.SourcePort = Tuple.LocalPort;
        repr.DestinationPort = Tuple.RemotePort;
        repr.SequenceNumber = seq;
        repr.Flags = flags;
        bool reset = (flags & TcpFlags.Rst) != 0;
        if ((flags & TcpFlags.Ack) != 0)
        {
            repr.AckNumber = _rcvNxt;
            if (!reset)
            {
                repr.Window = WindowField();
                NoteAckSent();
            }
        }
        // Resets a connection sends itself carry timestamps, as Linux's tcp_send_active_reset does.
        if (_tsOk)
        {
            repr.HasTimestamp = true;
            repr.TsVal = _layer.TsClock(now);
            repr.TsEcr = _tsRecent;
        }
        if (_sackOk && !reset && !_buffersReleased && (_recv.OutOfOrderBytes > 0 || _dsackPending))
        {
            Span<SackBlock> all = repr.SackBlocks;
            Span<SackBlock> blocks = all[..(_tsOk ? 3 : 4)];
            int count = 0;
            if (_dsackPending && (flags & TcpFlags.Ack) != 0)
            {
                // RFC 2883: the duplicate's block goes first, once.
                blocks[count++] = _dsack;
                _dsackPending = false;
            }
            count += _recv.GetSackBlocks(_rcvNxt, blocks[count..]);
            repr.SackCount = count;
        }
        if (length == 0)
        {
            _layer.Transmit(Tuple, repr);
            return;
        }
        int offset = seq - _bufferSeq;
        _layer.TransmitData(Tuple, repr, _send, offset, length);
        _send.NoteSent(offset, length);
    }

    /// <summary>An ACK went out: nothing is owed to the peer any more.</summary>
    private void NoteAckSent()
    {
        _lastAckSent = _rcvNxt;
        _ackNow = false;
        _delayedAckDeadline = Instant.Never;
        if (_quickAcks > 0 && _rcvNxt - _irs > 1) _quickAcks--;
    }

    /// <summary>The window field of a non-SYN segment: scaled, never moving the right edge left (RFC 9293 3.8.6).</summary>
    private ushort WindowField()
    {
        int window = ReceiveWindow();
        int current = Math.Max(_rcvAdv - _rcvNxt, 0);
        if (window < current) window = current;
        int field = window >> _rcvScale;
        // Rounding down by the scale must not shrink what was already offered (Linux rounds up likewise).
        if ((field << _rcvScale) < current) field++;
        if (field > 65535) field = 65535;
        TcpSeq right = _rcvNxt + (field << _rcvScale);
        if (right > _rcvAdv) _rcvAdv = right;
        return (ushort)field;
    }

    /// <summary>
    /// The receive window we would offer now: free buffer space up to the growing clamp, with receiver-side
    /// silly-window avoidance (RFC 9293 3.8.6.2.2): the right edge only moves by at least min(buffer/2, MSS).
    /// </summary>
    private int ReceiveWindow()
    {
        if (_buffersReleased) return 0;
        int window = Math.Min(_recv.Window, _rcvWindowClamp);
        int current = Math.Max(_rcvAdv - _rcvNxt, 0);
        if (window > current && window - current < Math.Min(_recv.Capacity / 2, _rcvMss)) window = current;
        return Math.Max(window, 0);
    }

    /// <summary>After the application read: whether the window opened enough to tell the peer now (Linux tcp_cleanup_rbuf).</summary>
    private bool ShouldSendWindowUpdate()
    {
        int current = Math.Max(_rcvAdv - _rcvNxt, 0);
        if (2 * current > _rcvWindowClamp) return false;
        int window = ReceiveWindow();
        return window > 0 && window >= 2 * current;
    }

    /// <summary>Sends an ACK now, unless the RFC 5961 rate limit says otherwise.</summary>
    private void SendChallengeAck(Instant now)
    {
        // Linux (tcp_send_challenge_ack): the connection's own limit for answers to unacceptable segments first,
        // then the stack-wide one.
        if (TryTakeOutOfWindowAck(now) && _layer.TryTakeChallengeAck(now))
        {
            _layer.Stats.ChallengeAcksSent++;
            SendSegment(_sndMax, TcpFlags.Ack, now);
        }
        else
        {
            _layer.Stats.ChallengeAcksSuppressed++;
        }
    }
}

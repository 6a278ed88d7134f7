using System.Net.Sockets;
using Junction.Devices;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>Segment arrival (RFC 9293 3.10.7) with RFC 7323 PAWS, RFC 5961 checks and ACK-driven loss recovery.</summary>
public sealed partial class TcpConnection
{
    private static readonly TimeSpan PawsIdleLimit = TimeSpan.FromDays(24);
    private static readonly TimeSpan OutOfWindowAckInterval = TimeSpan.FromMilliseconds(500);

    private Instant _lastOutOfWindowAck = Instant.Zero - TimeSpan.FromDays(1);

    // Loss recovery (RFC 5681, RFC 6582 NewReno, RFC 6675 SACK).
    private int _dupAcks;
    private bool _inRecovery;
    private TcpSeq _recover;
    private TcpSeq _highRxt;
    private int _recoveryInflation;

    // A D-SACK block (RFC 2883) the next ACK carries first.
    private bool _dsackPending;
    private SackBlock _dsack;

    /// <summary>Processes one segment addressed to this connection.</summary>
    internal void OnSegment(in TcpRepr seg, in Frame payload, Instant now)
    {
        if (_state == TcpState.Closed) return;
        if (_state == TcpState.SynSent)
        {
            OnSegmentInSynSent(seg, now);
            return;
        }

        TcpStatistics stats = _layer.Stats;
        int payloadLength = payload.Length;
        TcpSeq seq = seg.SequenceNumber;
        bool rst = seg.Has(TcpFlags.Rst);
        bool syn = seg.Has(TcpFlags.Syn);

        // The peer did not get our SYN-ACK and sent its SYN again: answer with the SYN-ACK again.
        if (_state == TcpState.SynReceived && syn && !rst && !seg.Has(TcpFlags.Ack) && seq == _irs)
        {
            if (_sndMax != _iss) _sndNxt = _iss;
            return;
        }

        // PAWS (RFC 7323 5.3): a timestamp older than TS.Recent marks an old duplicate.
        if (_tsOk && seg.HasTimestamp && !rst && unchecked((int)(seg.TsVal - _tsRecent)) < 0 && now - _tsRecentAge < PawsIdleLimit
            && !IsDisorderedAck(seg, payloadLength))
        {
            stats.DroppedPaws++;
            if (payloadLength > 0) NoteDuplicateData(seq, seq + payloadLength);
            SendOutOfWindowAck(payloadLength, syn, now);
            return;
        }

        // Acceptability (Linux tcp_sequence): the segment must end at or after the last acknowledged point and
        // start no later than the right edge of the window we offered.
        int segmentLength = seg.SegmentLength(payloadLength);
        TcpSeq segmentEnd = seq + segmentLength;
        int receiveWindow = Math.Max(_rcvAdv - _rcvNxt, 0);
        if (segmentEnd < _lastAckSent || seq > _rcvNxt + receiveWindow)
        {
            stats.DroppedOutOfWindow++;
            if (rst) return;
            if (syn)
            {
                SendChallengeAck(now);
                return;
            }
            if (payloadLength > 0) NoteDuplicateData(seq, seq + payloadLength);
            SendOutOfWindowAck(payloadLength, syn, now);
            return;
        }

        if (rst)
        {
            stats.ResetsReceived++;
            bool exact = seq == _rcvNxt
                || (seq == _rcvNxt - 1 && _state is TcpState.CloseWait or TcpState.LastAck or TcpState.Closing);
            if (exact) OnReset();
            else SendChallengeAck(now); // RFC 5961 3.2
            return;
        }

        _lastReceived = now;
        _keepAliveProbesSent = 0;

        // Simultaneous open: the peer's SYN-ACK crossed ours; its ACK completes the handshake (as Linux).
        bool crossedSynAck = syn && _state == TcpState.SynReceived && Listener is null && seg.Has(TcpFlags.Ack)
            && seq + 1 == _rcvNxt && payloadLength == 0 && seg.AckNumber == _sndMax;
        if (syn && !crossedSynAck)
        {
            // RFC 5961 4: a SYN in a synchronized state gets a challenge ACK, never a reset of the connection.
            SendChallengeAck(now);
            return;
        }

        if (!seg.Has(TcpFlags.Ack))
        {
            stats.DroppedInvalid++;
            return;
        }

        // TS.Recent follows the peer's clock for segments that cover the last acknowledged point (RFC 7323 4.3), but
        // only once the ACK field is known good (Linux tcp_ack): a segment acknowledging data never sent, or older than
        // SND.UNA, must not move it.
        TcpSeq ackNumber = seg.AckNumber;
        if (_tsOk && seg.HasTimestamp && seq <= _lastAckSent && unchecked((int)(seg.TsVal - _tsRecent)) >= 0
            && ackNumber <= _sndMax && ackNumber >= _sndUna)
        {
            _tsRecent = seg.TsVal;
            _tsRecentAge = now;
        }

        if (_state == TcpState.SynReceived && !OnHandshakeAck(seg, now)) return;
        if (!OnAck(seg, payloadLength, now)) return;
        if (_state == TcpState.Closed) return;

        if (payloadLength > 0) OnData(seg, payload, now);
        if (_state == TcpState.Closed) return;

        if (seg.Has(TcpFlags.Fin)) OnFin(seq + payloadLength, now);
        else if (_state == TcpState.TimeWait && segmentLength > 0) _ackNow = true;
    }

    /// <summary>
    /// Linux tcp_disordered_ack: a pure duplicate ACK overtaken by a newer one is no old duplicate but a reordered ACK;
    /// PAWS lets it through (its SACK blocks matter) when it changes no window and its timestamp lies within an RTO.
    /// </summary>
    private bool IsDisorderedAck(in TcpRepr seg, int payloadLength)
    {
        if (payloadLength != 0 || !seg.Has(TcpFlags.Ack) || (seg.Flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0) return false;
        if (seg.SequenceNumber != _rcvNxt || seg.AckNumber != _sndUna) return false;
        if (_state is TcpState.SynReceived) return false;
        int newWindow = seg.Window << _sndScale;
        bool mayUpdateWindow = _sndWl1 < seg.SequenceNumber || (_sndWl1 == seg.SequenceNumber && (newWindow > _sndWnd || newWindow == 0));
        if (mayUpdateWindow) return false;
        long behind = unchecked((int)(_tsRecent - seg.TsVal));
        return behind <= (long)_rtt.Rto.TotalMilliseconds;
    }

    /// <summary>An ACK arrived in SYN-RECEIVED: it must acknowledge our SYN (else RST), then we are established.</summary>
    private bool OnHandshakeAck(in TcpRepr seg, Instant now)
    {
        TcpSeq ack = seg.AckNumber;
        if (!(ack > _sndUna && ack <= _sndMax))
        {
            _layer.Stats.DroppedBadAck++;
            _layer.SendReset(Tuple, ack, default, withAck: false);
            return false;
        }
        TcpListenEndpoint? listener = Listener;
        if (listener is not null)
        {
            if (listener.IsAcceptQueueFull)
            {
                // Linux (tcp_abort_on_overflow off): ignore the ACK, the SYN-ACK retransmission will try again.
                _layer.Stats.DroppedListenOverflow++;
                return false;
            }
            if (_countedInSynQueue)
            {
                listener.SynQueueCount--;
                _countedInSynQueue = false;
            }
            _layer.Stats.PassiveOpens++;
            _events |= PendingEvents.Acceptable;
        }
        else
        {
            _events |= PendingEvents.Connected;
        }
        _state = TcpState.Established;
        _sndWnd = seg.Window << _sndScale;
        _maxSndWnd = Math.Max(_maxSndWnd, _sndWnd);
        _sndWl1 = seg.SequenceNumber;
        if (KeepAlive) _keepAliveDeadline = now + KeepAliveTime;
        return true;
    }

    /// <summary>SYN-SENT (RFC 9293 3.10.7.3).</summary>
    private void OnSegmentInSynSent(in TcpRepr seg, Instant now)
    {
        TcpStatistics stats = _layer.Stats;
        bool hasAck = seg.Has(TcpFlags.Ack);
        TcpSeq ack = seg.AckNumber;
        if (hasAck && (ack <= _iss || ack > _sndMax))
        {
            stats.DroppedBadAck++;
            if (!seg.Has(TcpFlags.Rst)) _layer.SendReset(Tuple, ack, default, withAck: false);
            return;
        }
        if (seg.Has(TcpFlags.Rst))
        {
            // Without an acceptable ACK the RST cannot be told from a blind attack (RFC 5961 3.2): ignore it.
            if (!hasAck) return;
            stats.ResetsReceived++;
            EnterClosed(SocketError.ConnectionRefused);
            return;
        }
        if (!seg.Has(TcpFlags.Syn))
        {
            stats.DroppedInvalid++;
            return;
        }

        _lastReceived = now;
        AcceptPeerSyn(seg, now);
        NegotiateFromSyn(seg);
        if (hasAck)
        {
            _sndUna = ack;
            if (_sndNxt < _sndUna) _sndNxt = _sndUna;
            _sndWnd = seg.Window; // never scaled on a SYN
            _maxSndWnd = _sndWnd;
            _sndWl1 = seg.SequenceNumber;
            SampleRtt(seg, now, ack);
            _rtoDeadline = Instant.Never;
            _retries = 0;
            _state = TcpState.Established;
            _events |= PendingEvents.Connected;
            if (KeepAlive) _keepAliveDeadline = now + KeepAliveTime;
            _ackNow = true;
        }
        else
        {
            // Simultaneous open: answer with SYN-ACK (our ISN again).
            _state = TcpState.SynReceived;
            _sndWnd = seg.Window;
            _maxSndWnd = _sndWnd;
            _sndNxt = _iss;
        }
    }

    /// <summary>ACK field processing (RFC 9293 3.10.7.4 fifth check). False when the segment must be dropped.</summary>
    private bool OnAck(in TcpRepr seg, int payloadLength, Instant now)
    {
        TcpStatistics stats = _layer.Stats;
        TcpSeq ack = seg.AckNumber;
        if (ack > _sndMax)
        {
            // Acknowledges something not yet sent: dropped with its data, and answered with an ACK (RFC 9293
            // 3.10.7.4), which Linux sends as a rate-limited challenge ACK (RFC 5961 5.2) — checked against Linux 6.18.
            stats.DroppedBadAck++;
            SendChallengeAck(now);
            return false;
        }
        if (ack < _sndUna - _maxSndWnd)
        {
            stats.DroppedBadAck++;
            SendChallengeAck(now);
            return false;
        }

        _probesOut = 0;
        int sackedBefore = _scoreboard.SackedBytes;
        SackBlockArray blocks = seg.SackBlocks;
        ReadOnlySpan<SackBlock> sacks = _sackOk ? ((ReadOnlySpan<SackBlock>)blocks)[..Math.Min(seg.SackCount, 4)] : default;
        if (!sacks.IsEmpty) _scoreboard.Update(_sndUna, _sndMax, sacks);
        TcpSeq unaBefore = _sndUna;
        bool dsack = RackActive && ack >= _sndUna && _rack.OnAck(ack, _sndMax, sacks, now, _rtt.MinRtt);

        int newWindow = seg.Window << _sndScale;
        bool acksNewData = ack > _sndUna;
        if (acksNewData)
        {
            OnNewAck(seg, ack, now);
        }
        else if (ack == _sndUna && payloadLength == 0 && !seg.Has(TcpFlags.Fin) && _sndMax != _sndUna
            && (newWindow == _sndWnd || _scoreboard.SackedBytes > sackedBefore))
        {
            // RFC 5681 asks for an unchanged window, but a receiver that autotunes (Linux) changes it on nearly every
            // ACK; an ACK that brings new SACK information is a duplicate regardless (RFC 6675 2, as Linux counts it).
            OnDuplicateAck(now);
        }
        if (ack >= unaBefore)
        {
            if (RackActive) DetectLossesByTime(now);
            OnAckForLossProbe(ack, acksNewData || _scoreboard.SackedBytes > sackedBefore, dsack, now);
            if (acksNewData) ScheduleLossProbe(now);
        }

        // Linux tcp_may_update_window: a segment that acknowledges nothing new and carries no newer sequence number
        // only updates the window if it grows it or closes it, so that a reordered or duplicated older ACK cannot
        // take back room the peer already offered.
        if (ack >= _sndUna && (acksNewData || _sndWl1 < seg.SequenceNumber
            || (_sndWl1 == seg.SequenceNumber && (newWindow > _sndWnd || newWindow == 0))))
        {
            bool opened = _sndWnd == 0 && newWindow > 0;
            _sndWnd = newWindow;
            if (newWindow > _maxSndWnd) _maxSndWnd = newWindow;
            _sndWl1 = seg.SequenceNumber;
            if (opened)
            {
                _persistDeadline = Instant.Never;
                _persistBackoff = 0;
            }
        }

        if (FinAcked)
        {
            switch (_state)
            {
                case TcpState.FinWait1:
                    _state = TcpState.FinWait2;
                    if (_closedByUser) _timeWaitDeadline = now + _settings.TimeWaitDuration;
                    break;
                case TcpState.Closing:
                    EnterTimeWait(now);
                    break;
                case TcpState.LastAck:
                    EnterClosed(SocketError.Success);
                    return false;
            }
        }
        if (UnsentBytes > 0 || FinToSend) MarkPendingOutput();
        return true;
    }

    private void OnNewAck(in TcpRepr seg, TcpSeq ack, Instant now)
    {
        int acked = ack - _sndUna;
        int flightBefore = _sndMax - _sndUna;
        if (_sndUna == _iss) acked--; // the SYN is no data
        int dataAcked = Math.Clamp(ack - _bufferSeq, 0, _sendReleased ? 0 : _send.Count);
        if (dataAcked > 0)
        {
            _send.Consume(dataAcked);
            _bufferSeq += dataAcked;
            _events |= PendingEvents.Writable;
        }
        SampleRtt(seg, now, ack);
        _sndUna = ack;
        if (_sndNxt < _sndUna) _sndNxt = _sndUna;
        _scoreboard.AdvanceTo(ack);
        _retries = 0;

        if (_inRecovery)
        {
            if (ack >= _recover)
            {
                _inRecovery = false;
                _recoveryInflation = 0;
                _dupAcks = 0;
                _cc.OnExitRecovery(now);
                _rack.OnRecoveryEnded();
            }
            else if (!_sackOk)
            {
                // NewReno partial ACK (RFC 6582 3.2 step 5): the next hole is lost too; resend it and deflate.
                RetransmitAt(_sndUna, _mss, now);
                _recoveryInflation = Math.Max(_recoveryInflation - acked, 0);
                if (acked >= _mss) _recoveryInflation += _mss;
            }
        }
        else
        {
            _dupAcks = 0;
            if (acked > 0) _cc.OnAck(acked, flightBefore, _rtt.SmoothedRtt, now);
        }

        // RFC 6298 5.2/5.3: stop the timer when everything is acknowledged, restart it otherwise.
        _rtoDeadline = _sndUna == _sndMax ? Instant.Never : now + _rtt.Rto;
    }

    private void OnDuplicateAck(Instant now)
    {
        _dupAcks++;
        if (_inRecovery)
        {
            if (!_sackOk) _recoveryInflation += _mss; // RFC 6582 step 4: each dup ACK means a segment left the network
            MarkPendingOutput();
            return;
        }
        // With RACK the time-based marking decides (Linux: no duplicate-ACK threshold when RACK is on).
        if (RackActive) return;
        bool lost = _dupAcks >= 3 || (_sackOk && !_scoreboard.IsEmpty && _scoreboard.IsLost(_sndUna, _mss));
        if (!lost) return;
        // RFC 6582 step 2: no new recovery for losses inside the window of the previous one (or of the last timeout);
        // that window ends once the ACK covers `recover`, so the segment right after it may start a recovery.
        if (_sndUna < _recover) return;
        EnterFastRecovery(now);
    }

    /// <summary>RTT measurement: the timed segment (Karn's rule), or the timestamp echo (RFC 7323 4.1).</summary>
    private void SampleRtt(in TcpRepr seg, Instant now, TcpSeq ack)
    {
        if (_rttTiming && ack > _rttSeq)
        {
            _rttTiming = false;
            _rtt.AddSample(now - _rttStart);
            return;
        }
        if (_tsOk && seg.HasTimestamp && seg.TsEcr != 0)
        {
            int ms = unchecked((int)(_layer.TsClock(now) - seg.TsEcr));
            if (ms >= 0) _rtt.AddSample(TimeSpan.FromMilliseconds(ms));
        }
    }

    /// <summary>Payload in a synchronized state: into the receive buffer, then decide when to acknowledge.</summary>
    private void OnData(in TcpRepr seg, in Frame payload, Instant now)
    {
        if (_state is not (TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2))
        {
            // After the peer's FIN no data can be new; acknowledge duplicates.
            _ackNow = true;
            return;
        }
        int offset = seg.SequenceNumber - _rcvNxt;
        int length = payload.Length;
        if (offset + length <= 0)
        {
            NoteDuplicateData(seg.SequenceNumber, seg.SequenceNumber + length);
            _ackNow = true; // a retransmission of data we have: tell the peer at once
            return;
        }
        if (_closedByUser || _buffersReleased)
        {
            // Nobody will read it (Linux: data after close resets the connection).
            _layer.Stats.DroppedAfterClose++;
            _layer.SendReset(Tuple, _sndMax, _rcvNxt + Math.Max(offset + length, 0), withAck: true);
            EnterClosed(SocketError.ConnectionReset);
            return;
        }
        if (offset < 0) NoteDuplicateData(seg.SequenceNumber, _rcvNxt); // partly old: report the old part
        bool hadOutOfOrder = _recv.OutOfOrderBytes > 0;
        int advanced = _recv.Insert(offset, payload);
        if (length > _rcvMss) _rcvMss = Math.Min(length, _mssClamp);
        if (advanced > 0)
        {
            _rcvNxt += advanced;
            _events |= PendingEvents.Readable;
            // The offered window grows with use (a simple form of receive autotuning), up to the buffer size.
            _rcvWindowClamp = Math.Min(_rcvWindowClamp + advanced, _recv.Capacity);
        }
        if (offset > 0 || hadOutOfOrder || advanced == 0 || _quickAcks > 0)
        {
            _ackNow = true; // out of order, filling a hole, not accepted, or quick-ack mode at the start
        }
        else if (_rcvNxt - _lastAckSent > _rcvMss)
        {
            _ackNow = true; // at least two full segments unacknowledged (RFC 5681 4.2)
        }
        else if (_delayedAckDeadline == Instant.Never)
        {
            _delayedAckDeadline = now + _settings.DelayedAckTimeout;
        }
        if (_peerFinPending && _rcvNxt == _peerFinSeq) OnFin(_peerFinSeq, now);
    }

    /// <summary>The peer's FIN at <paramref name="finSeq"/>: in order it closes the receive side, else it waits.</summary>
    private void OnFin(TcpSeq finSeq, Instant now)
    {
        if (_finReceived)
        {
            _ackNow = true;
            if (_state == TcpState.TimeWait) _timeWaitDeadline = now + _settings.TimeWaitDuration;
            return;
        }
        if (finSeq != _rcvNxt)
        {
            if (finSeq > _rcvNxt)
            {
                _peerFinPending = true;
                _peerFinSeq = finSeq;
            }
            _ackNow = true;
            return;
        }
        _peerFinPending = false;
        _finReceived = true;
        _rcvNxt += 1;
        _ackNow = true;
        _events |= PendingEvents.Readable;
        switch (_state)
        {
            case TcpState.SynReceived:
            case TcpState.Established:
                _state = TcpState.CloseWait;
                break;
            case TcpState.FinWait1:
                _state = FinAcked ? TcpState.TimeWait : TcpState.Closing;
                if (_state == TcpState.TimeWait) EnterTimeWait(now);
                break;
            case TcpState.FinWait2:
                EnterTimeWait(now);
                break;
        }
    }

    private void EnterTimeWait(Instant now)
    {
        _state = TcpState.TimeWait;
        _rtoDeadline = _persistDeadline = _keepAliveDeadline = _reorderDeadline = _lossProbeDeadline = Instant.Never;
        _timeWaitDeadline = now + _settings.TimeWaitDuration;
        ReleaseSendBuffer();
        if (_closedByUser) ReleaseReceiveBuffer();
    }

    /// <summary>An acceptable RST (RFC 9293 3.10.7.4 second check).</summary>
    private void OnReset()
    {
        switch (_state)
        {
            case TcpState.SynReceived:
                EnterClosed(Listener is not null ? SocketError.Success : SocketError.ConnectionRefused);
                return;
            case TcpState.TimeWait:
            case TcpState.Closing:
            case TcpState.LastAck:
                EnterClosed(SocketError.Success);
                return;
            default:
                EnterClosed(SocketError.ConnectionReset);
                return;
        }
    }

    /// <summary>
    /// Data at [<paramref name="seq"/>, <paramref name="end"/>) arrived again: the next ACK reports the part below RCV.NXT
    /// in a D-SACK block (RFC 2883, Linux tcp_send_dupack), so the sender learns its retransmission was spurious.
    /// </summary>
    private void NoteDuplicateData(TcpSeq seq, TcpSeq end)
    {
        if (!_sackOk || seq >= _rcvNxt) return;
        if (end > _rcvNxt) end = _rcvNxt;
        _dsack = new SackBlock(seq, end);
        _dsackPending = true;
    }

    /// <summary>Answers an unacceptable segment with an ACK; pure ACKs at most every 500 ms (Linux tcp_oow_rate_limited).</summary>
    private void SendOutOfWindowAck(int payloadLength, bool syn, Instant now)
    {
        if ((payloadLength == 0 || syn) && !TryTakeOutOfWindowAck(now)) return;
        _ackNow = true;
    }

    /// <summary>
    /// The connection's limit on answers to unacceptable segments, shared by duplicate and challenge ACKs: one per
    /// 500 ms (Linux's last_oow_ack_time and tcp_invalid_ratelimit), so that a flood of bad segments cannot turn
    /// the connection into an ACK reflector.
    /// </summary>
    private bool TryTakeOutOfWindowAck(Instant now)
    {
        if (now - _lastOutOfWindowAck < OutOfWindowAckInterval) return false;
        _lastOutOfWindowAck = now;
        return true;
    }

    /// <summary>
    /// Whether a SYN may take over this TIME_WAIT tuple (RFC 6191, Linux): its timestamp is newer than TS.Recent,
    /// or, without timestamps, its sequence number is beyond what we received.
    /// </summary>
    internal bool AcceptsNewSyn(in TcpRepr syn)
    {
        if (_state != TcpState.TimeWait) return false;
        if (_tsOk && syn.HasTimestamp) return unchecked((int)(syn.TsVal - _tsRecent)) > 0;
        return syn.SequenceNumber > _rcvNxt;
    }
}

using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// RACK-TLP (RFC 8985) on top of SACK recovery: time-based loss marking, the reordering timer, and tail loss probes.
/// </summary>
public sealed partial class TcpConnection
{
    private readonly RackDetector _rack = new();
    private Instant _reorderDeadline = Instant.Never;

    // Tail loss probe (RFC 8985 7): one probe outstanding at a time, until the ACK for TLP.end_seq.
    private Instant _lossProbeDeadline = Instant.Never;
    private bool _lossProbeOutstanding;
    private bool _lossProbeRetransmitted;
    private bool _lossProbeDsacked;
    private TcpSeq _lossProbeEnd;
    private bool _lossProbeSendsNewData;

    /// <summary>Whether RACK marks losses on this connection (it needs SACK, as in Linux).</summary>
    private bool RackActive => _sackOk && _settings.Rack;

    /// <summary>Whether a fast or timeout recovery is in progress (RACK's reordering window is 0 then).</summary>
    private bool InAnyRecovery => _inRecovery || _sndUna < _recover;

    /// <summary>Runs RACK's loss marking; losses start fast recovery (or are resent inside the current one).</summary>
    private void DetectLossesByTime(Instant now)
    {
        if (!RackActive || _sndUna == _sndMax)
        {
            _reorderDeadline = Instant.Never;
            return;
        }
        _rack.DetectLosses(now, _rtt.MinRtt, _rtt.SmoothedRtt, InAnyRecovery, 3 * _mss, out _reorderDeadline);
        if (_rack.LostBytes == 0) return;
        if (!InAnyRecovery) EnterFastRecovery(now);
        MarkPendingOutput();
    }

    /// <summary>Loss detected outside recovery: reduce the window and resend the first lost segment at once (RFC 6675 4.3).</summary>
    private void EnterFastRecovery(Instant now)
    {
        _inRecovery = true;
        _recover = _sndMax;
        _layer.Stats.FastRetransmits++;
        _cc.OnEnterRecovery(_sndMax - _sndUna, now);
        _rttTiming = false;
        _lossProbeOutstanding = false;
        _lossProbeDeadline = Instant.Never;
        if (RackActive)
        {
            if (_rack.TryGetFirstLost(out TcpSeq start, out int length)) RetransmitAt(start, Math.Min(length, _mss), now);
            _highRxt = _sndUna;
        }
        else
        {
            RetransmitAt(_sndUna, _mss, now);
            if (_sackOk) _highRxt = _sndUna + Math.Min(_mss, _sndMax - _sndUna);
            else _recoveryInflation = 3 * _mss;
        }
        _rtoDeadline = now + _rtt.Rto;
        MarkPendingOutput();
    }

    /// <summary>
    /// RACK's share of output: resends the first segment marked lost when the window allows.
    /// Returns null when RACK has nothing to resend, else whether a segment went out.
    /// </summary>
    private bool? TryRetransmitLost(int cwnd, int flight, Instant now)
    {
        if (_rack.LostBytes == 0 || cwnd - flight < _mss) return null;
        if (!_rack.TryGetFirstLost(out TcpSeq start, out int length)) return null;
        // After a timeout the go-back-N resend covers everything from SND.NXT on.
        if (!_inRecovery && start >= _sndNxt) return null;
        int lostBefore = _rack.LostBytes;
        RetransmitAt(start, Math.Min(length, _mss), now);
        return _rack.LostBytes < lostBefore;
    }

    /// <summary>Bytes in flight during RACK recovery: sent, not SACKed, and not marked lost since last sent (RFC 6675 pipe).</summary>
    private int RackPipe() => Math.Max((_sndMax - _sndUna) - _rack.SackedBytes - _rack.LostBytes, 0);

    /// <summary>Arms the probe timeout (RFC 8985 7.2) after new data went out or an ACK arrived, while no recovery runs.</summary>
    private void ScheduleLossProbe(Instant now)
    {
        _lossProbeDeadline = Instant.Never;
        if (!_settings.TailLossProbe || !_sackOk || InAnyRecovery || _lossProbeOutstanding || _sndUna == _sndMax || !CanSendData) return;
        TimeSpan pto;
        if (_rtt.HasSample)
        {
            pto = 2 * _rtt.SmoothedRtt;
            // A lone segment may wait for a delayed ACK at the receiver (RFC 8985 7.2: WCDelAckT, Linux TCP_RTO_MIN).
            if (_sndMax - _sndUna <= _mss) pto += _settings.MinRto;
            if (pto < MinLossProbeTimeout) pto = MinLossProbeTimeout;
        }
        else
        {
            pto = TimeSpan.FromSeconds(1);
        }
        Instant due = now + pto;
        // A probe at or after the retransmission timeout would come too late to be of use.
        if (_rtoDeadline != Instant.Never && due >= _rtoDeadline) return;
        _lossProbeDeadline = due;
    }

    private static readonly TimeSpan MinLossProbeTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>The probe timeout fired (RFC 8985 7.3): send one new segment if allowed, else the last one again.</summary>
    private void OnLossProbeTimeout(Instant now)
    {
        if (!_settings.TailLossProbe || InAnyRecovery || _lossProbeOutstanding || _sndUna == _sndMax || !CanSendData) return;
        int unsent = UnsentBytes;
        int windowRoom = _sndWnd - (_sndNxt - _sndUna);
        bool sentNew = false;
        if (unsent > 0 && _sndNxt == _sndMax && windowRoom >= Math.Min(unsent, _mss))
        {
            _lossProbeSendsNewData = true;
            sentNew = TrySendSegment(now);
            _lossProbeSendsNewData = false;
        }
        if (!sentNew)
        {
            if (RackActive && _rack.TryGetLast(out TcpSeq start, out int length))
            {
                if (length > _mss)
                {
                    start += length - _mss;
                    length = _mss;
                }
                RetransmitAt(start, length, now);
            }
            else
            {
                int span = Math.Min(_sndMax - _sndUna, _mss);
                RetransmitAt(_sndMax - span, span, now);
            }
        }
        _layer.Stats.TailLossProbes++;
        _lossProbeOutstanding = true;
        _lossProbeRetransmitted = !sentNew;
        _lossProbeDsacked = false;
        _lossProbeEnd = _sndMax;
        _rtoDeadline = now + _rtt.Rto;
        MarkPendingOutput();
    }

    /// <summary>
    /// TLP loss detection (RFC 8985 7.4, as Linux's tcp_process_tlp_ack): a retransmitted probe that no D-SACK showed
    /// to be a duplicate, followed by an ACK beyond TLP.end_seq, repaired a real loss, and the window is reduced for it.
    /// </summary>
    /// <param name="ack">The cumulative acknowledgment.</param>
    /// <param name="news">Whether the ACK acknowledged or SACKed anything new.</param>
    /// <param name="dsack">Whether it carried a D-SACK.</param>
    /// <param name="now">The arrival time.</param>
    private void OnAckForLossProbe(TcpSeq ack, bool news, bool dsack, Instant now)
    {
        if (!_lossProbeOutstanding) return;
        if (dsack) _lossProbeDsacked = true;
        if (ack < _lossProbeEnd) return;
        if (!_lossProbeRetransmitted || _lossProbeDsacked)
        {
            _lossProbeOutstanding = false; // new data probed, or the original and the probe both arrived
        }
        else if (ack > _lossProbeEnd)
        {
            _lossProbeOutstanding = false;
            _cc.OnEnterRecovery(_sndMax - _sndUna, now);
            _cc.OnExitRecovery(now);
        }
        else if (!news)
        {
            _lossProbeOutstanding = false; // a pure duplicate at TLP.end_seq: the probe was a duplicate too
        }
    }
}

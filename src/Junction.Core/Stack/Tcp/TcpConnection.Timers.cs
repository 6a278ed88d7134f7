using System.Net.Sockets;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// The connection's timers: retransmission (RFC 6298), delayed ACK, persist (zero-window probes), keepalive,
/// TIME_WAIT. One wheel entry per connection, scheduled at the earliest of them.
/// </summary>
public sealed partial class TcpConnection
{
    private Instant _rtoDeadline = Instant.Never;
    private Instant _delayedAckDeadline = Instant.Never;
    private Instant _persistDeadline = Instant.Never;
    private Instant _keepAliveDeadline = Instant.Never;
    private Instant _timeWaitDeadline = Instant.Never;
    private Instant _lastReceived;
    private int _retries;
    private int _persistBackoff;
    private int _probesOut;
    private int _keepAliveProbesSent;

    /// <summary>Whether data or our FIN is unacknowledged or unsent: then a timer must watch the connection (RFC 6298 5.1).</summary>
    internal bool HasOutstandingData => IsSynchronized && !_sendReleased && (_sndUna != _sndMax || UnsentBytes > 0 || FinToSend);

    /// <summary>Whether the retransmission or persist timer is armed and the wheel entry will fire for it.</summary>
    internal bool IsRetransmitOrPersistArmed
    {
        get
        {
            Instant due = Instant.Min(_rtoDeadline, _persistDeadline);
            return due != Instant.Never && _timer.IsScheduled && _timer.Deadline <= due;
        }
    }

    /// <summary>Puts the wheel entry at the earliest deadline (or takes it off).</summary>
    internal void RefreshTimer()
    {
        Instant next = Instant.Min(Instant.Min(_rtoDeadline, _delayedAckDeadline),
            Instant.Min(Instant.Min(_persistDeadline, _keepAliveDeadline), _timeWaitDeadline));
        next = Instant.Min(next, Instant.Min(_reorderDeadline, _lossProbeDeadline));
        if (_state == TcpState.Closed) next = Instant.Never;
        if (next == Instant.Never) _layer.Wheel.Cancel(_timer);
        else if (!_timer.IsScheduled || _timer.Deadline != next) _layer.Wheel.Schedule(_timer, next);
    }

    private void OnTimer(Instant now)
    {
        if (now >= _timeWaitDeadline)
        {
            _timeWaitDeadline = Instant.Never;
            if (_state is TcpState.TimeWait or TcpState.FinWait2)
            {
                _closedByUser |= _state == TcpState.FinWait2;
                EnterClosed(SocketError.Success);
                return;
            }
        }
        if (now >= _delayedAckDeadline)
        {
            _delayedAckDeadline = Instant.Never;
            if (_rcvNxt != _lastAckSent)
            {
                _layer.Stats.DelayedAcks++;
                _ackNow = true;
            }
        }
        if (now >= _reorderDeadline)
        {
            _reorderDeadline = Instant.Never;
            DetectLossesByTime(now);
        }
        if (now >= _rtoDeadline)
        {
            _rtoDeadline = Instant.Never;
            OnRetransmissionTimeout(now);
        }
        if (_state != TcpState.Closed && now >= _lossProbeDeadline)
        {
            _lossProbeDeadline = Instant.Never;
            OnLossProbeTimeout(now);
        }
        if (_state != TcpState.Closed && now >= _persistDeadline)
        {
            _persistDeadline = Instant.Never;
            OnPersistTimeout(now);
        }
        if (_state != TcpState.Closed && now >= _keepAliveDeadline)
        {
            _keepAliveDeadline = Instant.Never;
            OnKeepAliveTimeout(now);
        }
        if (_state != TcpState.Closed) Output(now);
        RefreshTimer();
        _layer.DispatchLater(this);
    }

    private void OnRetransmissionTimeout(Instant now)
    {
        bool handshake = _state is TcpState.SynSent or TcpState.SynReceived;
        if (!handshake && _sndMax == _sndUna) return;
        _retries++;
        int limit = _state switch
        {
            TcpState.SynSent => _settings.SynRetries,
            TcpState.SynReceived => _settings.SynAckRetries,
            _ => _settings.MaxRetransmissions,
        };
        // A peer that keeps answering with a closed window is alive: probe it on, as Linux does (RFC 1122 4.2.2.17).
        bool answeringWithClosedWindow = !handshake && _sndWnd == 0 && now - _lastReceived <= _settings.MaxRto;
        if (_retries > limit && !answeringWithClosedWindow)
        {
            _layer.Stats.Timeouts++;
            EnterClosed(SocketError.TimedOut);
            return;
        }
        _layer.Stats.RetransmissionTimeouts++;
        _rtt.Backoff();
        if (!handshake)
        {
            _cc.OnRetransmissionTimeout(_sndMax - _sndUna, now);
            _inRecovery = false;
            _recoveryInflation = 0;
            _dupAcks = 0;
            _recover = _sndMax;
            // The receiver may have reneged on SACKed data (RFC 2018 8): resend everything from SND.UNA.
            _scoreboard.Clear();
            _rack.OnRetransmissionTimeout();
            _reorderDeadline = Instant.Never;
            _lossProbeDeadline = Instant.Never;
            _lossProbeOutstanding = false;
        }
        // Go back to the first unacknowledged byte; output resends from there as the (now one-segment) window allows.
        _sndNxt = _sndUna;
        _rttTiming = false;
        _forceSend = true;
        _rtoDeadline = now + _rtt.Rto;
    }

    /// <summary>Arms the persist timer when data waits but the peer's window is closed and nothing is in flight.</summary>
    private void UpdatePersistTimer(Instant now)
    {
        bool waiting = UnsentBytes > 0 && _sndMax == _sndUna && _sndWnd - (_sndNxt - _sndUna) < Math.Min(UnsentBytes, _mss);
        if (!waiting)
        {
            _persistDeadline = Instant.Never;
            return;
        }
        if (_persistDeadline != Instant.Never) return;
        _persistDeadline = now + PersistInterval();
    }

    private TimeSpan PersistInterval()
    {
        TimeSpan interval = _rtt.Rto * Math.Pow(2, Math.Min(_persistBackoff, 16));
        if (interval < _settings.MinRto) interval = _settings.MinRto;
        return interval > _settings.MaxRto ? _settings.MaxRto : interval;
    }

    private void OnPersistTimeout(Instant now)
    {
        if (!CanSendData || UnsentBytes == 0 || _sndMax != _sndUna) return;
        if (_probesOut >= _settings.MaxRetransmissions)
        {
            _layer.Stats.Timeouts++;
            EnterClosed(SocketError.TimedOut);
            return;
        }
        int windowRoom = _sndWnd - (_sndNxt - _sndUna);
        if (windowRoom > 0)
        {
            // A small window the SWS rules would wait on forever: send what fits (RFC 9293 override timeout).
            _forceSend = true;
        }
        else
        {
            // Linux zero-window probe: an old sequence number makes the receiver answer with its window.
            _layer.Stats.ZeroWindowProbes++;
            SendSegment(_sndUna - 1, TcpFlags.Ack, now);
        }
        _probesOut++;
        _persistBackoff++;
        _persistDeadline = now + PersistInterval();
    }

    private void OnKeepAliveTimeout(Instant now)
    {
        if (!KeepAlive || !(_state is TcpState.Established or TcpState.CloseWait or TcpState.FinWait2)) return;
        if (_sndMax != _sndUna || UnsentBytes > 0)
        {
            // Data in flight: the retransmission timer watches the peer.
            _keepAliveDeadline = now + KeepAliveTime;
            return;
        }
        Instant due = _lastReceived + KeepAliveTime;
        if (_keepAliveProbesSent == 0 && now < due)
        {
            _keepAliveDeadline = due;
            return;
        }
        if (_keepAliveProbesSent >= KeepAliveProbes)
        {
            _layer.Stats.Timeouts++;
            SendSegment(_sndMax, TcpFlags.Rst | TcpFlags.Ack, now);
            EnterClosed(SocketError.TimedOut);
            return;
        }
        _layer.Stats.KeepAliveProbes++;
        _keepAliveProbesSent++;
        SendSegment(_sndUna - 1, TcpFlags.Ack, now);
        _keepAliveDeadline = now + KeepAliveInterval;
    }

    /// <summary>The connection's entry in the layer's timer wheel.</summary>
    private sealed class ConnectionTimer(TcpConnection connection) : TimerEntry
    {
        protected internal override void OnTimer(Instant now) => connection.OnTimer(now);
    }
}

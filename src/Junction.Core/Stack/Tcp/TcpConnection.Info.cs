namespace Junction.Stack.Tcp;

public sealed partial class TcpConnection
{
    /// <summary>Copies the connection's state for diagnostics (the conformance runner's tcp_info); reads only.</summary>
    internal TcpConnectionInfo SnapshotInfo()
    {
        return new TcpConnectionInfo
        {
            State = _state,
            SendMss = _mss,
            ReceiveMss = _rcvMss,
            AdvertisedMss = LocalMss(),
            CongestionWindow = _cc.Window,
            SlowStartThreshold = _cc.SlowStartThreshold,
            HasRttSample = _rtt.HasSample,
            SmoothedRtt = _rtt.SmoothedRtt,
            RttVariation = _rtt.RttVariation,
            MinRtt = _rtt.MinRtt,
            Rto = _rtt.Rto,
            BytesInFlight = _sndMax - _sndUna,
            SackedBytes = _scoreboard.SackedBytes,
            InFastRecovery = _inRecovery,
            InTimeoutRecovery = !_inRecovery && _sndUna < _recover,
            DuplicateAcks = _dupAcks,
            // Sequence space minus the SYN (and the FIN once acknowledged or received); 0 before the SYN.
            BytesAcked = Math.Max(0, (_sndUna - _iss) - 1 - (FinAcked ? 1 : 0)),
            BytesReceived = Math.Max(0, (_rcvNxt - _irs) - 1 - (_finReceived ? 1 : 0)),
            NotSentBytes = UnsentBytes,
            TotalRetransmissions = Retransmissions,
            ConsecutiveTimeouts = _retries,
            ProbesWithoutAnswer = _probesOut + _keepAliveProbesSent,
            TimestampsEnabled = _tsOk,
            SackEnabled = _sackOk,
            WindowScaleEnabled = _wsOk,
            SendWindowScale = _sndScale,
            ReceiveWindowScale = _rcvScale,
            SendWindow = _sndWnd,
            ReceiveWindow = Math.Max(0, _rcvAdv - _rcvNxt),
            LastSegmentReceived = _lastReceived,
        };
    }
}

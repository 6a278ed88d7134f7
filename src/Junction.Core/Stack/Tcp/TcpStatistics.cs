namespace Junction.Stack.Tcp;

/// <summary>Counters of one TCP layer (like Linux's /proc/net/snmp and netstat -s TCP sections).</summary>
public sealed class TcpStatistics
{
    /// <summary>Segments received (after checksum verification).</summary>
    public long SegmentsReceived { get; internal set; }
    /// <summary>Segments sent, retransmissions included.</summary>
    public long SegmentsSent { get; internal set; }
    /// <summary>Data segments sent from the frame the payload was written into, headers put in front of it (no copy).</summary>
    public long SegmentsSentInPlace { get; internal set; }
    /// <summary>Data segments whose payload was copied into a fresh frame (a resend while the frame is still on its way, a segment after unacknowledged bytes of its frame).</summary>
    public long SegmentsSentCopied { get; internal set; }
    /// <summary>Segments sent again (timeout, fast retransmit, SACK recovery).</summary>
    public long SegmentsRetransmitted { get; internal set; }
    /// <summary>Segments the output refused (no frame, no route).</summary>
    public long SendFailures { get; internal set; }
    /// <summary>RST segments received.</summary>
    public long ResetsReceived { get; internal set; }
    /// <summary>RST segments sent.</summary>
    public long ResetsSent { get; internal set; }
    /// <summary>Segments for which no connection or listener exists.</summary>
    public long NoSocket { get; internal set; }
    /// <summary>Segments dropped as outside the receive window.</summary>
    public long DroppedOutOfWindow { get; internal set; }
    /// <summary>Segments dropped by PAWS (RFC 7323).</summary>
    public long DroppedPaws { get; internal set; }
    /// <summary>Segments dropped because their ACK was unacceptable.</summary>
    public long DroppedBadAck { get; internal set; }
    /// <summary>Segments dropped as malformed for their state (flags combination, missing ACK...).</summary>
    public long DroppedInvalid { get; internal set; }
    /// <summary>SYNs or handshake ACKs dropped because a listener's queues were full.</summary>
    public long DroppedListenOverflow { get; internal set; }
    /// <summary>Data dropped because it arrived after the application closed the connection.</summary>
    public long DroppedAfterClose { get; internal set; }
    /// <summary>Challenge ACKs sent (RFC 5961).</summary>
    public long ChallengeAcksSent { get; internal set; }
    /// <summary>Challenge ACKs suppressed by the rate limit.</summary>
    public long ChallengeAcksSuppressed { get; internal set; }
    /// <summary>SYN-ACKs sent with a SYN cookie.</summary>
    public long SynCookiesSent { get; internal set; }
    /// <summary>Connections established from a valid cookie.</summary>
    public long SynCookiesValidated { get; internal set; }
    /// <summary>ACKs whose cookie did not validate.</summary>
    public long SynCookiesFailed { get; internal set; }
    /// <summary>Active opens (Connect).</summary>
    public long ActiveOpens { get; internal set; }
    /// <summary>Passive opens (connections that entered a listener's accept queue).</summary>
    public long PassiveOpens { get; internal set; }
    /// <summary>Connections that failed before becoming established.</summary>
    public long AttemptFails { get; internal set; }
    /// <summary>Established connections reset by the peer.</summary>
    public long EstablishedResets { get; internal set; }
    /// <summary>Connections that timed out (retransmissions or keepalive).</summary>
    public long Timeouts { get; internal set; }
    /// <summary>Retransmission timeouts that fired.</summary>
    public long RetransmissionTimeouts { get; internal set; }
    /// <summary>Fast retransmits (entries into loss recovery).</summary>
    public long FastRetransmits { get; internal set; }
    /// <summary>Tail loss probes sent (RFC 8985 7).</summary>
    public long TailLossProbes { get; internal set; }
    /// <summary>Zero-window probes sent.</summary>
    public long ZeroWindowProbes { get; internal set; }
    /// <summary>Keepalive probes sent.</summary>
    public long KeepAliveProbes { get; internal set; }
    /// <summary>Delayed acknowledgments sent when their timer fired.</summary>
    public long DelayedAcks { get; internal set; }
}

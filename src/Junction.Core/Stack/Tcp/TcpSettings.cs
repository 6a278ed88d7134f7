using Junction.Stack.Tcp.Congestion;

namespace Junction.Stack.Tcp;

/// <summary>
/// How the TCP layer behaves. Defaults follow Linux, so that a Linux peer (and tests written against Linux)
/// find nothing unusual. Changes apply to connections created afterwards.
/// </summary>
public sealed class TcpSettings
{
    /// <summary>How long a connection stays in TIME_WAIT (2 MSL). Linux: 60 s.</summary>
    public TimeSpan TimeWaitDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The lower bound of the retransmission timeout. Linux: 200 ms.</summary>
    public TimeSpan MinRto { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The retransmission timeout before any RTT sample (RFC 6298): 1 s.</summary>
    public TimeSpan InitialRto { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The upper bound of the retransmission timeout, backoff included. Linux: 120 s.</summary>
    public TimeSpan MaxRto { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>How often a SYN is retransmitted before an active open fails with TimedOut. Linux: 6.</summary>
    public int SynRetries { get; set; } = 6;

    /// <summary>How often a SYN-ACK is retransmitted before a half-open connection is dropped. Linux: 5.</summary>
    public int SynAckRetries { get; set; } = 5;

    /// <summary>How many consecutive retransmission timeouts an established connection survives. Linux (tcp_retries2): 15.</summary>
    public int MaxRetransmissions { get; set; } = 15;

    /// <summary>The longest an acknowledgment is delayed. Linux: 40 ms minimum delayed-ACK timeout.</summary>
    public TimeSpan DelayedAckTimeout { get; set; } = TimeSpan.FromMilliseconds(40);

    /// <summary>
    /// How many segments are acknowledged immediately when a connection starts receiving (Linux quick-ack mode),
    /// before delayed acknowledgments begin.
    /// </summary>
    public int QuickAckSegments { get; set; } = 16;

    /// <summary>The initial congestion window in segments (RFC 6928). Linux: 10.</summary>
    public int InitialWindowSegments { get; set; } = 10;

    /// <summary>The congestion control algorithm. Linux: CUBIC.</summary>
    public CongestionControlAlgorithm CongestionControl { get; set; } = CongestionControlAlgorithm.Cubic;

    /// <summary>The send buffer size in bytes (unacknowledged plus unsent data).</summary>
    public int SendBufferSize { get; set; } = 256 * 1024;

    /// <summary>
    /// The receive buffer size in bytes each connection starts with: the bound of the advertised window, which starts
    /// smaller (<see cref="InitialReceiveWindow"/>) and grows as the peer uses it.
    /// </summary>
    public int ReceiveBufferSize { get; set; } = 256 * 1024;

    /// <summary>
    /// The largest receive buffer a connection may be given (Linux tcp_rmem[2]: 6 MiB). The window scale offered on
    /// the SYN is derived from it, not from <see cref="ReceiveBufferSize"/>, so that a buffer enlarged after the
    /// handshake can still be advertised whole; with the default the SYN offers scale 7, as Linux does.
    /// </summary>
    public int MaxReceiveBufferSize { get; set; } = 6 * 1024 * 1024;

    /// <summary>The receive window advertised at first (on the SYN and until the peer fills it). Linux: 64 KiB.</summary>
    public int InitialReceiveWindow { get; set; } = 65535;

    /// <summary>Whether to offer RFC 7323 timestamps.</summary>
    public bool Timestamps { get; set; } = true;

    /// <summary>Whether to offer RFC 7323 window scaling.</summary>
    public bool WindowScaling { get; set; } = true;

    /// <summary>Whether to offer selective acknowledgments (RFC 2018).</summary>
    public bool Sack { get; set; } = true;

    /// <summary>
    /// Whether losses are also detected by time (RACK, RFC 8985): a segment is lost once one sent after it was
    /// delivered and more than an RTT plus a reordering window passed. Linux (tcp_recovery bit 0): on.
    /// </summary>
    public bool Rack { get; set; } = true;

    /// <summary>
    /// Whether a tail loss probe (RFC 8985 section 7) is sent when ACKs stop coming before the retransmission timeout,
    /// so that a loss at the end of a flight is repaired by fast recovery. Linux (tcp_early_retrans 3): on.
    /// </summary>
    public bool TailLossProbe { get; set; } = true;

    /// <summary>How many half-open connections a listener keeps before it answers with SYN cookies (or drops). Linux: 1024.</summary>
    public int SynQueueLength { get; set; } = 1024;

    /// <summary>Whether to answer SYNs with SYN cookies when the SYN queue is full. Linux: on.</summary>
    public bool SynCookies { get; set; } = true;

    /// <summary>Idle time before the first keepalive probe. Linux: 2 h.</summary>
    public TimeSpan KeepAliveTime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Time between unanswered keepalive probes. Linux: 75 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>Unanswered keepalive probes before the connection fails with TimedOut. Linux: 9.</summary>
    public int KeepAliveProbes { get; set; } = 9;

    /// <summary>Whether new connections disable Nagle's algorithm. Linux: false.</summary>
    public bool NoDelay { get; set; }

    /// <summary>The lowest ephemeral port. Linux: 32768.</summary>
    public ushort EphemeralPortFirst { get; set; } = 32768;

    /// <summary>The highest ephemeral port. Linux: 60999.</summary>
    public ushort EphemeralPortLast { get; set; } = 60999;

    /// <summary>The most challenge ACKs (RFC 5961) sent per second over all connections. Linux: 1000.</summary>
    public int ChallengeAckLimit { get; set; } = 1000;
}

namespace Junction.Stack.Tcp.Congestion;

/// <summary>
/// Owns a connection's congestion window and slow-start threshold. The connection decides what happened
/// (new data acknowledged, loss detected, retransmission timeout) and tells the controller; the controller
/// only does the arithmetic of its algorithm. Windows are in bytes.
/// </summary>
internal abstract class CongestionController
{
    /// <summary>Starts with an initial window of <paramref name="initialWindowSegments"/> segments (RFC 6928).</summary>
    protected CongestionController(int mss, int initialWindowSegments)
    {
        Mss = mss;
        Window = initialWindowSegments * mss;
        SlowStartThreshold = int.MaxValue;
    }

    /// <summary>The sender maximum segment size; the connection updates it when the path MSS is known.</summary>
    public int Mss { get; set; }

    /// <summary>cwnd in bytes.</summary>
    public int Window { get; protected set; }

    /// <summary>ssthresh in bytes.</summary>
    public int SlowStartThreshold { get; protected set; }

    /// <summary>Whether the window is still below the threshold.</summary>
    public bool InSlowStart => Window < SlowStartThreshold;

    /// <summary>
    /// New data was acknowledged outside loss recovery.
    /// </summary>
    /// <param name="ackedBytes">Bytes newly acknowledged by this ACK.</param>
    /// <param name="bytesInFlight">Bytes outstanding before this ACK (to skip growth when the window is not used).</param>
    /// <param name="smoothedRtt">The current smoothed RTT (CUBIC uses it for its TCP-friendly region).</param>
    /// <param name="now">The current time.</param>
    public abstract void OnAck(int ackedBytes, int bytesInFlight, TimeSpan smoothedRtt, Instant now);

    /// <summary>Loss detected by duplicate ACKs or SACK: enter recovery, reduce ssthresh and cwnd (multiplicative decrease).</summary>
    public abstract void OnEnterRecovery(int bytesInFlight, Instant now);

    /// <summary>Recovery finished (the recovery point was acknowledged): settle cwnd at ssthresh.</summary>
    public virtual void OnExitRecovery(Instant now) => Window = Math.Max(SlowStartThreshold, 2 * Mss);

    /// <summary>Retransmission timeout: ssthresh from the flight, cwnd back to one segment (RFC 5681 3.1).</summary>
    public abstract void OnRetransmissionTimeout(int bytesInFlight, Instant now);
}

namespace Junction.Stack.Tcp.Congestion;

/// <summary>
/// NewReno's window arithmetic (RFC 5681, RFC 6582): slow start with byte counting, congestion avoidance that
/// adds one MSS per window of acknowledged bytes, and halving on loss.
/// </summary>
internal sealed class NewRenoController : CongestionController
{
    // Acked bytes not yet turned into window in congestion avoidance: adding one MSS each time a full cwnd has
    // been acknowledged is RFC 5681's "cwnd += MSS*MSS/cwnd per ACK" counted in bytes (RFC 3465), so delayed
    // ACKs and stretch ACKs grow the window at the same rate.
    private int _avoidanceBytesAcked;

    /// <summary>Starts with <paramref name="initialWindowSegments"/> segments of <paramref name="mss"/> bytes.</summary>
    public NewRenoController(int mss, int initialWindowSegments) : base(mss, initialWindowSegments)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mss);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialWindowSegments);
    }

    /// <inheritdoc/>
    public override void OnAck(int ackedBytes, int bytesInFlight, TimeSpan smoothedRtt, Instant now)
    {
        if (ackedBytes <= 0 || WindowGrowth.IsApplicationLimited(bytesInFlight, Window)) return;
        if (InSlowStart)
        {
            Window = WindowGrowth.SlowStart(Window, SlowStartThreshold, ackedBytes, out ackedBytes);
            if (ackedBytes == 0) return;
        }

        _avoidanceBytesAcked += ackedBytes;
        while (_avoidanceBytesAcked >= Window && Window < WindowGrowth.MaxWindow)
        {
            _avoidanceBytesAcked -= Window;
            Window = Math.Min(Window + Mss, WindowGrowth.MaxWindow);
        }
    }

    /// <inheritdoc/>
    public override void OnEnterRecovery(int bytesInFlight, Instant now)
    {
        SlowStartThreshold = HalfFlight(bytesInFlight);
        Window = SlowStartThreshold;
        _avoidanceBytesAcked = 0;
    }

    /// <inheritdoc/>
    public override void OnRetransmissionTimeout(int bytesInFlight, Instant now)
    {
        SlowStartThreshold = HalfFlight(bytesInFlight);
        Window = Mss;
        _avoidanceBytesAcked = 0;
    }

    /// <summary>RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS).</summary>
    private int HalfFlight(int bytesInFlight) => Math.Max(bytesInFlight / 2, 2 * Mss);
}

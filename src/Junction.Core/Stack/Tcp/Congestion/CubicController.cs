namespace Junction.Stack.Tcp.Congestion;

/// <summary>
/// CUBIC (RFC 9438): after a loss the window follows W(t) = C (t - K)^3 + W_max, concave up to the window at
/// which the loss happened and convex beyond it, but never slower than an equivalent Reno flow. Windows are kept
/// in bytes; the cubic's constant C is per segment, so it is scaled by the MSS.
/// </summary>
internal sealed class CubicController : CongestionController
{
    /// <summary>C, the cubic's aggressiveness, in segments per second cubed.</summary>
    public const double C = 0.4;

    /// <summary>β_cubic, the multiplicative decrease factor.</summary>
    public const double Beta = 0.7;

    // Reno-friendly additive increase that gives the same average rate as Reno for β = 0.7 (RFC 9438 4.3).
    private const double RenoFriendlyAlpha = 3 * (1 - Beta) / (1 + Beta);

    private Instant _epochStart = Instant.Never;
    private double _maxWindow;     // W_max in bytes; 0 before the first congestion event
    private double _origin;        // the cubic's plateau for this epoch (W_max, or cwnd when above it)
    private double _k;             // seconds from the epoch start to the plateau
    private double _renoEstimate;  // W_est in bytes
    private double _windowPrior;   // cwnd just before the last reduction
    private double _growthCredit;  // fractional bytes of growth not yet added to cwnd

    /// <summary>Starts with <paramref name="initialWindowSegments"/> segments of <paramref name="mss"/> bytes.</summary>
    public CubicController(int mss, int initialWindowSegments) : base(mss, initialWindowSegments)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mss);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialWindowSegments);
    }

    /// <summary>W_max in bytes: the window at the last congestion event, after fast convergence.</summary>
    public double MaxWindowBeforeReduction => _maxWindow;

    /// <summary>K in seconds for the current epoch (0 when no epoch has started).</summary>
    public double PeriodToPlateau => _epochStart == Instant.Never ? 0 : _k;

    /// <inheritdoc/>
    public override void OnAck(int ackedBytes, int bytesInFlight, TimeSpan smoothedRtt, Instant now)
    {
        if (ackedBytes <= 0) return;
        if (WindowGrowth.IsApplicationLimited(bytesInFlight, Window))
        {
            // Time spent not using the window must not count as time the cubic has grown (RFC 9438 5.8):
            // the next cwnd-limited ACK starts a fresh epoch from the current window.
            _epochStart = Instant.Never;
            return;
        }
        if (InSlowStart)
        {
            Window = WindowGrowth.SlowStart(Window, SlowStartThreshold, ackedBytes, out ackedBytes);
            if (ackedBytes == 0) return;
        }

        if (_epochStart == Instant.Never) StartEpoch(now);

        double t = (now - _epochStart).TotalSeconds;
        double rtt = Math.Max(0, smoothedRtt.TotalSeconds);
        double window = Window;

        double alpha = _renoEstimate >= _windowPrior ? 1 : RenoFriendlyAlpha;
        _renoEstimate += alpha * Mss * ackedBytes / window;

        double next;
        if (CubicWindow(t) < _renoEstimate)
        {
            next = Math.Max(window, _renoEstimate); // Reno-friendly region
        }
        else
        {
            double target = Math.Clamp(CubicWindow(t + rtt), window, 1.5 * window);
            _growthCredit += (target - window) * ackedBytes / window;
            double whole = Math.Floor(_growthCredit);
            _growthCredit -= whole;
            next = window + whole;
        }
        Window = (int)Math.Min(next, WindowGrowth.MaxWindow);
    }

    /// <inheritdoc/>
    public override void OnEnterRecovery(int bytesInFlight, Instant now) => Reduce(Window);

    /// <inheritdoc/>
    public override void OnRetransmissionTimeout(int bytesInFlight, Instant now)
    {
        // RFC 9438 4.8: Reno's window of one segment, but ssthresh from β_cubic.
        Reduce(Window);
        Window = Mss;
    }

    /// <summary>W_cubic(t) in bytes for the current epoch.</summary>
    public double CubicWindow(double secondsSinceEpoch)
    {
        double d = secondsSinceEpoch - _k;
        return _origin + C * Mss * d * d * d;
    }

    /// <summary>
    /// A congestion event (RFC 9438 4.6, 4.7): remember W_max (lowered by fast convergence when the window did
    /// not get back to the previous W_max, to yield to newer flows), then ssthresh = cwnd * β. Reducing from cwnd
    /// rather than the flight size is what RFC 9438 specifies and Linux does; it keeps application-limited flows
    /// from collapsing their window.
    /// </summary>
    private void Reduce(int window)
    {
        _epochStart = Instant.Never;
        _windowPrior = window;
        _maxWindow = window < _maxWindow ? window * (1 + Beta) / 2 : window;
        SlowStartThreshold = Math.Max((int)(window * Beta), 2 * Mss);
        Window = SlowStartThreshold;
        _growthCredit = 0;
    }

    private void StartEpoch(Instant now)
    {
        _epochStart = now;
        double window = Window;
        _renoEstimate = window;
        _growthCredit = 0;
        if (window < _maxWindow)
        {
            _k = Math.Cbrt((_maxWindow - window) / Mss / C);
            _origin = _maxWindow;
        }
        else
        {
            _k = 0;
            _origin = window;
        }
    }
}

namespace Junction.Stack.Tcp;

/// <summary>
/// The round-trip time estimate and retransmission timeout of one connection (RFC 6298), plus the minimum and
/// latest samples that RACK (RFC 8985) needs.
/// </summary>
/// <remarks>
/// Before the first sample there is nothing measured: <see cref="SmoothedRtt"/>, <see cref="MinRtt"/> and
/// <see cref="LatestRtt"/> then report the initial RTO and <see cref="RttVariation"/> half of it, as if the
/// initial RTO had been the first sample. That errs on the slow side for anything that scales with the RTT.
/// </remarks>
internal sealed class RttEstimator
{
    // RFC 6298's clock granularity G: the wheel that runs the timer ticks in milliseconds.
    private static readonly long GranularityTicks = TimeSpan.FromMilliseconds(1).Ticks;
    private const int MaxBackoffShift = 30;

    private readonly long _initialRto;
    private readonly long _minRto;
    private readonly long _maxRto;
    private long _srtt;
    private long _rttvar;
    private long _baseRto;
    private long _minRtt;
    private long _latestRtt;
    private int _backoff;

    /// <summary>Creates an estimator that starts at <paramref name="initialRto"/> (RFC 6298: 1 s).</summary>
    public RttEstimator(TimeSpan initialRto, TimeSpan minRto, TimeSpan maxRto)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minRto, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRto, minRto);
        _minRto = minRto.Ticks;
        _maxRto = maxRto.Ticks;
        _initialRto = Math.Clamp(initialRto.Ticks, _minRto, _maxRto);
        _baseRto = _initialRto;
        _srtt = _initialRto;
        _rttvar = _initialRto / 2;
        _minRtt = _initialRto;
        _latestRtt = _initialRto;
    }

    /// <summary>Whether a round trip has been measured.</summary>
    public bool HasSample { get; private set; }

    /// <summary>SRTT, or the initial RTO before the first sample.</summary>
    public TimeSpan SmoothedRtt => new(_srtt);

    /// <summary>RTTVAR, or half the initial RTO before the first sample.</summary>
    public TimeSpan RttVariation => new(_rttvar);

    /// <summary>The smallest sample seen, or the initial RTO before the first sample.</summary>
    public TimeSpan MinRtt => new(_minRtt);

    /// <summary>The most recent sample, or the initial RTO before the first sample.</summary>
    public TimeSpan LatestRtt => new(_latestRtt);

    /// <summary>The retransmission timeout including backoff: SRTT + max(4 * RTTVAR, min RTO), at most max RTO.</summary>
    public TimeSpan Rto
    {
        get
        {
            long rto = _baseRto;
            for (int i = 0; i < _backoff && rto < _maxRto; i++) rto *= 2;
            return new TimeSpan(Math.Min(rto, _maxRto));
        }
    }

    /// <summary>
    /// Takes a round-trip measurement (RFC 6298 2.2, 2.3) and clears any backoff (the path answered).
    /// Negative samples are ignored.
    /// </summary>
    public void AddSample(TimeSpan rtt)
    {
        long r = rtt.Ticks;
        if (r < 0) return;
        if (!HasSample)
        {
            _srtt = r;
            _rttvar = r / 2;
            _minRtt = r;
            HasSample = true;
        }
        else
        {
            // RTTVAR uses the SRTT from before this sample; alpha = 1/8, beta = 1/4.
            _rttvar = (3 * _rttvar + Math.Abs(_srtt - r)) / 4;
            _srtt = (7 * _srtt + r) / 8;
            _minRtt = Math.Min(_minRtt, r);
        }
        _latestRtt = r;
        // Linux (tcp_rtt_estimator's mdev_max, __tcp_set_rto): the floor applies to the variance term, not to the
        // sum, so RTO = SRTT + max(4 * RTTVAR, min RTO); RFC 6298 would give max(SRTT + 4 * RTTVAR, min RTO).
        _baseRto = Math.Min(_srtt + Math.Max(Math.Max(GranularityTicks, _minRto), 4 * _rttvar), _maxRto);
        _backoff = 0;
    }

    /// <summary>The retransmission timer expired: double the RTO (RFC 6298 5.5), up to the maximum.</summary>
    public void Backoff()
    {
        if (_backoff < MaxBackoffShift) _backoff++;
    }
}

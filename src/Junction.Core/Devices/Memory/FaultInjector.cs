namespace Junction.Devices.Memory;

/// <summary>
/// Applies <see cref="FaultSettings"/> to the frames one port transmits. Draws from the generator only for
/// impairments that are switched on, in a fixed order (loss, corruption, duplication, then per copy reorder
/// and jitter), so the same traffic with the same seed meets the same fate.
/// </summary>
internal sealed class FaultInjector
{
    private const int EthernetHeaderLength = 14;
    private readonly FaultSettings _settings;
    private readonly Random _random;
    private readonly long _delayNanos;
    private readonly long _jitterNanos;
    private readonly long _reorderNanos;
    private long _linkFreeAtNanos;

    public FaultInjector(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CheckRate(settings.LossRate, nameof(settings.LossRate));
        CheckRate(settings.DuplicateRate, nameof(settings.DuplicateRate));
        CheckRate(settings.ReorderRate, nameof(settings.ReorderRate));
        CheckRate(settings.CorruptRate, nameof(settings.CorruptRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Jitter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.ReorderDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.BandwidthBitsPerSecond);
        _settings = settings;
        _random = new Random(settings.Seed);
        _delayNanos = settings.Delay.Ticks * 100;
        _jitterNanos = settings.Jitter.Ticks * 100;
        _reorderNanos = settings.ReorderDelay.Ticks * 100;
    }

    public FaultSettings Settings => _settings;

    public FaultStatistics Statistics { get; } = new();

    /// <summary>
    /// Decides whether a frame of <paramref name="length"/> bytes is lost, duplicated or corrupted.
    /// Corruption is described rather than applied so that every copy the switch makes carries the same damage
    /// while the sender's frame stays as the sender wrote it.
    /// </summary>
    /// <returns>How many copies to deliver: 0 (lost), 1 or 2.</returns>
    public int Decide(int length, out int corruptOffset, out byte corruptMask)
    {
        corruptOffset = -1;
        corruptMask = 0;
        if (Happens(_settings.LossRate))
        {
            Statistics.Lost++;
            return 0;
        }
        if (Happens(_settings.CorruptRate) && length > EthernetHeaderLength)
        {
            corruptOffset = EthernetHeaderLength + _random.Next(length - EthernetHeaderLength);
            corruptMask = (byte)(1 << _random.Next(8));
            Statistics.Corrupted++;
        }
        if (Happens(_settings.DuplicateRate))
        {
            Statistics.Duplicated++;
            return 2;
        }
        return 1;
    }

    /// <summary>When one copy of <paramref name="length"/> bytes put on the link at <paramref name="now"/> arrives.</summary>
    public Instant Schedule(Instant now, int length)
    {
        long nowNanos = now.Microseconds * 1000;
        long departNanos = nowNanos;
        long bandwidth = _settings.BandwidthBitsPerSecond;
        if (bandwidth > 0)
        {
            long start = nowNanos;
            if (_linkFreeAtNanos > nowNanos)
            {
                start = _linkFreeAtNanos;
                Statistics.Queued++;
            }
            long serializationNanos = (length * 8_000_000_000L + bandwidth - 1) / bandwidth;
            departNanos = start + serializationNanos;
            _linkFreeAtNanos = departNanos;
        }

        long latency = _delayNanos;
        if (_jitterNanos > 0) latency += (long)(_random.NextDouble() * _jitterNanos);
        if (latency > 0) Statistics.Delayed++;
        if (Happens(_settings.ReorderRate))
        {
            latency += _reorderNanos;
            Statistics.Reordered++;
        }

        long arriveNanos = departNanos + latency;
        // Round up: a frame must never arrive before its last bit was sent.
        return new Instant((arriveNanos + 999) / 1000);
    }

    private bool Happens(double rate) => rate > 0 && _random.NextDouble() < rate;

    private static void CheckRate(double rate, string name)
    {
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentOutOfRangeException(name, rate, "A rate must lie between 0 and 1.");
    }
}

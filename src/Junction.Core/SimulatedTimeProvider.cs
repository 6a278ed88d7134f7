namespace Junction;

/// <summary>
/// A clock that moves only when told to, with microsecond resolution. Drives the virtual switch and
/// stacks in tests and simulations so that runs are deterministic.
/// </summary>
public sealed class SimulatedTimeProvider : TimeProvider
{
    private long _micros;

    /// <summary>Creates a clock that reads <paramref name="start"/>.</summary>
    public SimulatedTimeProvider(Instant start = default) => _micros = start.Microseconds;

    /// <summary>The current simulated instant.</summary>
    public Instant Now => new(Volatile.Read(ref _micros));

    /// <inheritdoc/>
    public override long TimestampFrequency => 1_000_000;

    /// <inheritdoc/>
    public override long GetTimestamp() => Volatile.Read(ref _micros);

    /// <summary>Moves the clock forward by <paramref name="delta"/>.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        Interlocked.Add(ref _micros, delta.Ticks / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>Moves the clock to <paramref name="instant"/>; never backwards.</summary>
    public void AdvanceTo(Instant instant)
    {
        if (instant.Microseconds > Volatile.Read(ref _micros))
            Volatile.Write(ref _micros, instant.Microseconds);
    }
}

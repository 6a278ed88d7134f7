namespace Junction;

/// <summary>
/// A point in time on the clock that drives a stack, in microseconds since that clock's epoch.
/// The stack never reads a clock itself: time is an input, so tests can run in simulated time.
/// </summary>
public readonly record struct Instant(long Microseconds) : IComparable<Instant>
{
    /// <summary>The epoch of the clock (time zero).</summary>
    public static readonly Instant Zero;

    /// <summary>A time later than any the stack will see; "never" for deadlines.</summary>
    public static readonly Instant Never = new(long.MaxValue);

    /// <summary>Milliseconds since the epoch, truncated.</summary>
    public long Milliseconds => Microseconds / 1000;

    /// <summary>Creates an instant from milliseconds since the epoch.</summary>
    public static Instant FromMilliseconds(long milliseconds) => new(milliseconds * 1000);

    /// <summary>Creates an instant from a <see cref="TimeProvider"/> timestamp.</summary>
    public static Instant FromTimestamp(long timestamp, long frequency) =>
        new((long)((Int128)timestamp * 1_000_000 / frequency));

    /// <summary>Reads the current instant from a time provider.</summary>
    public static Instant Now(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return FromTimestamp(clock.GetTimestamp(), clock.TimestampFrequency);
    }

    /// <summary>The earlier of two instants.</summary>
    public static Instant Min(Instant a, Instant b) => a.Microseconds <= b.Microseconds ? a : b;

    /// <summary>The later of two instants.</summary>
    public static Instant Max(Instant a, Instant b) => a.Microseconds >= b.Microseconds ? a : b;

    /// <inheritdoc/>
    public int CompareTo(Instant other) => Microseconds.CompareTo(other.Microseconds);

    /// <summary>Adds a duration; saturates at <see cref="Never"/>.</summary>
    public static Instant operator +(Instant t, TimeSpan d)
    {
        long micros = d.Ticks / TimeSpan.TicksPerMicrosecond;
        return t.Microseconds > long.MaxValue - micros ? Never : new(t.Microseconds + micros);
    }

    /// <summary>Subtracts a duration.</summary>
    public static Instant operator -(Instant t, TimeSpan d) => new(t.Microseconds - d.Ticks / TimeSpan.TicksPerMicrosecond);

    /// <summary>The duration between two instants.</summary>
    public static TimeSpan operator -(Instant a, Instant b) => TimeSpan.FromMicroseconds(a.Microseconds - b.Microseconds);

    /// <summary>Whether <paramref name="a"/> is earlier than <paramref name="b"/>.</summary>
    public static bool operator <(Instant a, Instant b) => a.Microseconds < b.Microseconds;

    /// <summary>Whether <paramref name="a"/> is later than <paramref name="b"/>.</summary>
    public static bool operator >(Instant a, Instant b) => a.Microseconds > b.Microseconds;

    /// <summary>Whether <paramref name="a"/> is not later than <paramref name="b"/>.</summary>
    public static bool operator <=(Instant a, Instant b) => a.Microseconds <= b.Microseconds;

    /// <summary>Whether <paramref name="a"/> is not earlier than <paramref name="b"/>.</summary>
    public static bool operator >=(Instant a, Instant b) => a.Microseconds >= b.Microseconds;

    /// <inheritdoc/>
    public override string ToString() => this == Never ? "never" : $"{Microseconds / 1_000_000.0:F6}s";
}

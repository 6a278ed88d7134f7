namespace Junction.Wire;

/// <summary>
/// A TCP sequence number: 32-bit arithmetic that wraps, compared by the sign of the difference (RFC 9293 3.4),
/// so that "a is before b" stays right across the wrap.
/// </summary>
internal readonly record struct TcpSeq(uint Value) : IComparable<TcpSeq>
{
    /// <summary>Advances by <paramref name="n"/> bytes (wrapping).</summary>
    public static TcpSeq operator +(TcpSeq s, int n) => new(unchecked(s.Value + (uint)n));

    /// <summary>Moves back by <paramref name="n"/> bytes (wrapping).</summary>
    public static TcpSeq operator -(TcpSeq s, int n) => new(unchecked(s.Value - (uint)n));

    /// <summary>The signed distance from <paramref name="b"/> to <paramref name="a"/>.</summary>
    public static int operator -(TcpSeq a, TcpSeq b) => unchecked((int)(a.Value - b.Value));

    /// <summary>Whether a comes before b.</summary>
    public static bool operator <(TcpSeq a, TcpSeq b) => a - b < 0;

    /// <summary>Whether a comes after b.</summary>
    public static bool operator >(TcpSeq a, TcpSeq b) => a - b > 0;

    /// <summary>Whether a does not come after b.</summary>
    public static bool operator <=(TcpSeq a, TcpSeq b) => a - b <= 0;

    /// <summary>Whether a does not come before b.</summary>
    public static bool operator >=(TcpSeq a, TcpSeq b) => a - b >= 0;

    /// <summary>The later of two sequence numbers.</summary>
    public static TcpSeq Max(TcpSeq a, TcpSeq b) => a >= b ? a : b;

    /// <summary>The earlier of two sequence numbers.</summary>
    public static TcpSeq Min(TcpSeq a, TcpSeq b) => a <= b ? a : b;

    /// <summary>Whether <paramref name="start"/> &lt;= this &lt; <paramref name="end"/>.</summary>
    public bool IsInRange(TcpSeq start, TcpSeq end) => this >= start && this < end;

    /// <inheritdoc/>
    public int CompareTo(TcpSeq other) => this - other;

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

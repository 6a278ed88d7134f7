namespace Junction.Stack.Tcp.Congestion;

/// <summary>Arithmetic that NewReno and CUBIC share: slow start and the application-limited test.</summary>
internal static class WindowGrowth
{
    /// <summary>The largest window TCP can use (window scale 14 gives 2^30 bytes); keeps int arithmetic safe.</summary>
    public const int MaxWindow = 1 << 30;

    /// <summary>
    /// Whether the sender is not using its window: with less than half of cwnd in flight the ACKs say nothing
    /// about whether a larger window would fit the path (RFC 7661's reasoning), so the window does not grow.
    /// </summary>
    public static bool IsApplicationLimited(int bytesInFlight, int window) => bytesInFlight < window / 2;

    /// <summary>
    /// Slow start with appropriate byte counting (RFC 3465, L = 2 MSS; RFC 5681 3.1): grows by the bytes acked,
    /// at most 2 MSS per ACK, stopping at ssthresh.
    /// </summary>
    /// <returns>The new window and, through <paramref name="leftover"/>, acked bytes not used because ssthresh
    /// was reached (they count toward congestion avoidance).</returns>
    public static int SlowStart(int window, int ssthresh, int mss, int ackedBytes, out int leftover)
    {
        int increase = Math.Min(ackedBytes, 2 * mss);
        long grown = (long)window + increase;
        long cap = Math.Min(ssthresh, MaxWindow);
        if (grown > cap)
        {
            leftover = (int)Math.Min(grown - cap, ackedBytes);
            return (int)Math.Max(cap, window);
        }
        leftover = 0;
        return (int)grown;
    }
}

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
    /// Slow start (RFC 5681 3.1) as Linux's tcp_slow_start does it: grows by every byte acked, stopping at ssthresh.
    /// There is no ABC limit (RFC 3465's L = 2 MSS): a stretch ACK, or a delayed ACK of a whole burst, grows the window
    /// by all it acknowledges, so the window still doubles per round trip when the receiver acknowledges rarely.
    /// </summary>
    /// <returns>The new window and, through <paramref name="leftover"/>, acked bytes not used because ssthresh
    /// was reached (they count toward congestion avoidance).</returns>
    public static int SlowStart(int window, int ssthresh, int ackedBytes, out int leftover)
    {
        long grown = (long)window + ackedBytes;
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

namespace Junction.Transport.Kestrel.Internal;

/// <summary>Connection ids shaped as Kestrel's: 13 characters of base32, from a counter seeded with the start time (unique per process run).</summary>
internal static class ConnectionIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    private static long s_last = DateTime.UtcNow.Ticks;

    public static string Next() => string.Create(13, Interlocked.Increment(ref s_last), static (chars, id) =>
    {
        for (int i = chars.Length - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(id & 31)];
            id >>= 5;
        }
    });
}

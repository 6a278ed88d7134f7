using System.Diagnostics;

namespace Junction.Cli.Load;

/// <summary>
/// Latencies in 1 µs buckets up to 100 ms (longer ones land in an overflow bucket): recording is one interlocked
/// increment, so many connections share one histogram and the measuring loop allocates nothing; percentiles are
/// exact to a bucket.
/// </summary>
internal sealed class LatencyHistogram
{
    private const long BucketNanoseconds = 1000;
    private const int BucketCount = 100_000;

    private readonly long[] _buckets = new long[BucketCount + 1];
    private long _maxNanoseconds;
    private long _count;

    public long Count => Volatile.Read(ref _count);

    /// <summary>Records the time from <paramref name="startTimestamp"/> to <paramref name="endTimestamp"/> (Stopwatch timestamps); from any thread.</summary>
    public void Record(long startTimestamp, long endTimestamp)
    {
        long nanoseconds = (long)((endTimestamp - startTimestamp) * (1e9 / Stopwatch.Frequency));
        Interlocked.Increment(ref _buckets[Math.Min(nanoseconds / BucketNanoseconds, BucketCount)]);
        long max = Volatile.Read(ref _maxNanoseconds);
        while (nanoseconds > max)
        {
            long seen = Interlocked.CompareExchange(ref _maxNanoseconds, nanoseconds, max);
            if (seen == max) break;
            max = seen;
        }
        Interlocked.Increment(ref _count);
    }

    /// <summary>The latency in microseconds that <paramref name="percentile"/> per cent of samples do not exceed (bucket midpoint); null with no samples.</summary>
    public double? Percentile(double percentile)
    {
        long count = Count;
        if (count == 0) return null;
        long rank = Math.Max(1, (long)Math.Ceiling(count * percentile / 100));
        long seen = 0;
        for (int i = 0; i <= BucketCount; i++)
        {
            seen += Volatile.Read(ref _buckets[i]);
            if (seen >= rank) return i == BucketCount ? _maxNanoseconds / 1000.0 : (i * BucketNanoseconds + BucketNanoseconds / 2) / 1000.0;
        }
        return _maxNanoseconds / 1000.0;
    }
}

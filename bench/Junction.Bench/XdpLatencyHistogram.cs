using System.Diagnostics;

namespace Junction.Bench;

/// <summary>
/// Round-trip times in 100 ns buckets up to 20 ms (longer ones land in an overflow bucket): recording is an
/// increment, so the measuring loop allocates nothing; percentiles are exact to a bucket.
/// </summary>
internal sealed class XdpLatencyHistogram
{
    private const long BucketNanoseconds = 100;
    private const int BucketCount = 200_000;

    private readonly long[] _buckets = new long[BucketCount + 1];
    private long _maxNanoseconds;

    public long Count { get; private set; }

    /// <summary>Records the time from <paramref name="startTimestamp"/> to <paramref name="endTimestamp"/> (Stopwatch timestamps).</summary>
    public void Record(long startTimestamp, long endTimestamp)
    {
        long nanoseconds = (long)((endTimestamp - startTimestamp) * (1e9 / Stopwatch.Frequency));
        _buckets[Math.Min(nanoseconds / BucketNanoseconds, BucketCount)]++;
        if (nanoseconds > _maxNanoseconds) _maxNanoseconds = nanoseconds;
        Count++;
    }

    public void Clear()
    {
        Array.Clear(_buckets);
        _maxNanoseconds = 0;
        Count = 0;
    }

    /// <summary>The round-trip time in microseconds that <paramref name="percentile"/> per cent of samples do not exceed (bucket midpoint).</summary>
    public double Percentile(double percentile)
    {
        if (Count == 0) return double.NaN;
        long rank = Math.Max(1, (long)Math.Ceiling(Count * percentile / 100));
        long seen = 0;
        for (int i = 0; i <= BucketCount; i++)
        {
            seen += _buckets[i];
            if (seen >= rank) return i == BucketCount ? _maxNanoseconds / 1000.0 : (i * BucketNanoseconds + BucketNanoseconds / 2) / 1000.0;
        }
        return _maxNanoseconds / 1000.0;
    }

    public LatencyFigure ToFigure() => new(Percentile(50), Percentile(99), Percentile(99.9), _maxNanoseconds / 1000.0, Count);
}

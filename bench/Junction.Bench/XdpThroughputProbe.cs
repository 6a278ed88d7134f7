using System.Diagnostics;

namespace Junction.Bench;

/// <summary>
/// Times a bulk transfer at the receiver, whichever stack it is: the clock starts when the warm-up bytes have
/// arrived and stops when the last byte has, so connection set-up, slow start and the sender's last flush are not measured.
/// </summary>
internal sealed class XdpThroughputProbe(long warmupBytes, long measuredBytes)
{
    private long _received;
    private long _startTimestamp;
    private long _endTimestamp;
    private long _receivedAtStart;
    private long _receivedAtEnd;

    public long Received => Volatile.Read(ref _received);

    public bool IsComplete => Volatile.Read(ref _endTimestamp) != 0;

    /// <summary>Called by the receiver after each read with the bytes it just got.</summary>
    public void Add(int bytes)
    {
        long received = _received + bytes;
        Volatile.Write(ref _received, received);
        if (_startTimestamp == 0 && received >= warmupBytes)
        {
            _startTimestamp = Stopwatch.GetTimestamp();
            _receivedAtStart = received;
        }
        if (_endTimestamp == 0 && received >= warmupBytes + measuredBytes)
        {
            _receivedAtEnd = received;
            Volatile.Write(ref _endTimestamp, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Gbit/s over the measured part (bytes that arrived between the two timestamps, divided by the time between them).</summary>
    public double GigabitsPerSecond
    {
        get
        {
            if (!IsComplete) return double.NaN;
            double seconds = (_endTimestamp - _startTimestamp) / (double)Stopwatch.Frequency;
            return (_receivedAtEnd - _receivedAtStart) * 8 / seconds / 1e9;
        }
    }
}

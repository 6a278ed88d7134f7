using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// Sender-side SACK state (RFC 6675) over [SND.UNA, SND.NXT): which bytes the receiver reported holding,
/// as disjoint, merged ranges in sequence order.
/// </summary>
/// <remarks>
/// The ranges live in a fixed array allocated with the connection, so no ACK allocates. When more disjoint ranges
/// arrive than fit, the lowest one is forgotten: that can only cause a spurious retransmission of bytes the receiver
/// already has (they stay in the send buffer until cumulatively acknowledged), never a stall.
/// </remarks>
internal sealed class SackScoreboard
{
    /// <summary>The number of disjoint ranges kept by the parameterless constructor.</summary>
    public const int DefaultCapacity = 32;

    private readonly SackBlock[] _ranges;
    private int _count;
    private int _sackedBytes;

    /// <summary>Creates an empty scoreboard holding up to <see cref="DefaultCapacity"/> disjoint ranges.</summary>
    public SackScoreboard()
        : this(DefaultCapacity)
    {
    }

    /// <summary>Creates an empty scoreboard holding up to <paramref name="capacity"/> disjoint ranges.</summary>
    public SackScoreboard(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ranges = new SackBlock[capacity];
    }

    /// <summary>Whether no byte is known to be SACKed.</summary>
    public bool IsEmpty => _count == 0;

    /// <summary>How many bytes are SACKed in total.</summary>
    public int SackedBytes => _sackedBytes;

    /// <summary>The highest right edge SACKed (exclusive); meaningful only when not <see cref="IsEmpty"/>.</summary>
    public TcpSeq HighestSacked => _count == 0 ? default : _ranges[_count - 1].Right;

    /// <summary>How many disjoint ranges are held.</summary>
    public int RangeCount => _count;

    /// <summary>The most disjoint ranges held at once.</summary>
    public int RangeCapacity => _ranges.Length;

    /// <summary>The disjoint SACKed ranges in sequence order (a view for the connection and tests; do not keep it).</summary>
    public ReadOnlySpan<SackBlock> Ranges => new(_ranges, 0, _count);

    /// <summary>
    /// Records the SACK blocks of one ACK. Blocks that are empty, reversed, reach past <paramref name="sndNxt"/>,
    /// or lie wholly at or below <paramref name="sndUna"/> (D-SACKs, RFC 2883) are ignored; a block straddling
    /// SND.UNA is clipped to it. Everything below <paramref name="sndUna"/> is forgotten.
    /// </summary>
    public void Update(TcpSeq sndUna, TcpSeq sndNxt, ReadOnlySpan<SackBlock> blocks)
    {
        AdvanceTo(sndUna);
        for (int i = 0; i < blocks.Length; i++)
        {
            TcpSeq left = blocks[i].Left;
            TcpSeq right = blocks[i].Right;
            if (right <= left || right <= sndUna || right > sndNxt || left >= sndNxt) continue;
            // Bounds the distances so that a block more than 2^31 away cannot look valid through the wrap.
            if (sndNxt - sndUna < 0 || right - sndUna > sndNxt - sndUna) continue;
            if (left < sndUna) left = sndUna;
            Add(left, right);
        }
    }

    /// <summary>Forgets everything below <paramref name="sndUna"/> (the cumulative ACK moved).</summary>
    public void AdvanceTo(TcpSeq sndUna)
    {
        int drop = 0;
        while (drop < _count && _ranges[drop].Right <= sndUna)
        {
            _sackedBytes -= _ranges[drop].Right - _ranges[drop].Left;
            drop++;
        }
        if (drop > 0)
        {
            Array.Copy(_ranges, drop, _ranges, 0, _count - drop);
            _count -= drop;
        }
        if (_count > 0 && _ranges[0].Left < sndUna)
        {
            _sackedBytes -= sndUna - _ranges[0].Left;
            _ranges[0] = _ranges[0] with { Left = sndUna };
        }
    }

    /// <summary>Forgets everything (an RTO: RFC 6675 section 5.1 lets the sender discard SACK information).</summary>
    public void Clear()
    {
        _count = 0;
        _sackedBytes = 0;
    }

    /// <summary>Whether byte <paramref name="seq"/> was SACKed.</summary>
    public bool IsSacked(TcpSeq seq)
    {
        int index = FirstRangeEndingAfter(seq);
        return index < _count && _ranges[index].Left <= seq;
    }

    /// <summary>
    /// RFC 6675 IsLost: true when at least <paramref name="dupThresh"/> discontiguous SACKed ranges lie above
    /// <paramref name="seq"/>, or more than (DupThresh - 1) * MSS bytes above it were SACKed. A SACKed byte is never lost.
    /// </summary>
    public bool IsLost(TcpSeq seq, int mss, int dupThresh = 3)
    {
        int ranges = 0;
        long bytes = 0;
        for (int i = _count - 1; i >= 0; i--)
        {
            SackBlock range = _ranges[i];
            if (range.Right <= seq) break;
            if (range.Left <= seq) return false; // seq itself is SACKed
            ranges++;
            bytes += range.Right - range.Left;
        }
        return ranges >= dupThresh || bytes > (long)(dupThresh - 1) * mss;
    }

    /// <summary>
    /// RFC 6675 NextSeg rule 1: the first range of bytes at or after <paramref name="from"/> (and SND.UNA) that is
    /// not SACKed, lies below <see cref="HighestSacked"/> and is lost by <see cref="IsLost"/>, at most
    /// <paramref name="maxLength"/> bytes and never crossing into SACKed data.
    /// </summary>
    /// <remarks>
    /// Every byte of one hole has the same SACKed bytes above it, so a hole is lost as a whole; and IsLost only gets
    /// harder to satisfy higher up, so when the first hole at or after <paramref name="from"/> is not lost, none is.
    /// </remarks>
    public bool TryGetNextLostRange(TcpSeq from, TcpSeq sndUna, int mss, int maxLength, out TcpSeq start, out int length)
    {
        start = default;
        length = 0;
        if (_count == 0 || maxLength <= 0) return false;
        TcpSeq candidate = TcpSeq.Max(from, sndUna);
        int index = FirstRangeEndingAfter(candidate);
        if (index >= _count) return false; // at or above HighestSacked
        SackBlock above = _ranges[index];
        if (above.Left <= candidate)
        {
            // Inside a SACKed range: the next hole starts where it ends.
            candidate = above.Right;
            index++;
            if (index >= _count) return false;
            above = _ranges[index];
        }
        if (!IsLost(candidate, mss, dupThresh: 3)) return false;
        start = candidate;
        length = Math.Min(maxLength, above.Left - candidate);
        return true;
    }

    /// <summary>
    /// RFC 6675 SetPipe: the bytes estimated in flight in [SND.UNA, SND.NXT). Each byte not SACKed counts once
    /// unless it is lost, and once more if it was retransmitted, i.e. lies below <paramref name="highRxt"/>.
    /// </summary>
    /// <param name="sndUna">SND.UNA (HighACK + 1 in RFC 6675 terms).</param>
    /// <param name="sndNxt">SND.NXT (HighData + 1).</param>
    /// <param name="highRxt">The end (exclusive) of what was retransmitted in this recovery; pass SND.UNA when nothing was.</param>
    /// <param name="mss">The sender MSS, for <see cref="IsLost"/>.</param>
    public int Pipe(TcpSeq sndUna, TcpSeq sndNxt, TcpSeq highRxt, int mss)
    {
        if (sndNxt <= sndUna) return 0;
        long pipe = 0;
        // Walk holes from the top down so the SACKed bytes and ranges above each hole accumulate.
        long sackedAbove = 0;
        int rangesAbove = 0;
        TcpSeq holeEnd = sndNxt;
        long threshold = 2L * mss; // (DupThresh - 1) * SMSS with DupThresh = 3
        for (int i = _count; i >= 0; i--)
        {
            TcpSeq holeStart = i == 0 ? sndUna : _ranges[i - 1].Right;
            if (holeStart < sndUna) holeStart = sndUna;
            if (holeStart > sndNxt) holeStart = sndNxt;
            if (holeEnd > holeStart)
            {
                bool lost = rangesAbove >= 3 || sackedAbove > threshold;
                if (!lost) pipe += holeEnd - holeStart;
                TcpSeq retransmittedEnd = TcpSeq.Min(holeEnd, highRxt);
                if (retransmittedEnd > holeStart) pipe += retransmittedEnd - holeStart;
            }
            if (i == 0) break;
            SackBlock range = _ranges[i - 1];
            TcpSeq left = TcpSeq.Max(range.Left, sndUna);
            TcpSeq right = TcpSeq.Min(range.Right, sndNxt);
            if (right > left)
            {
                sackedAbove += right - left;
                rangesAbove++;
            }
            holeEnd = TcpSeq.Max(left, sndUna);
        }
        return (int)Math.Min(pipe, int.MaxValue);
    }

    /// <summary>Merges [left, right) into the ranges.</summary>
    private void Add(TcpSeq left, TcpSeq right)
    {
        // First range that touches or lies above the new one (touching ranges merge: they are contiguous).
        int first = 0;
        while (first < _count && _ranges[first].Right < left) first++;
        int last = first;
        while (last < _count && _ranges[last].Left <= right) last++;
        // Ranges [first, last) overlap or touch [left, right): replace them with their union.
        if (last > first)
        {
            left = TcpSeq.Min(left, _ranges[first].Left);
            right = TcpSeq.Max(right, _ranges[last - 1].Right);
            for (int i = first; i < last; i++) _sackedBytes -= _ranges[i].Right - _ranges[i].Left;
            _ranges[first] = new SackBlock(left, right);
            Array.Copy(_ranges, last, _ranges, first + 1, _count - last);
            _count -= last - first - 1;
            _sackedBytes += right - left;
            return;
        }

        if (_count == _ranges.Length)
        {
            // Full: forget the lowest range (see the class remarks), or the new one when it is the lowest.
            if (first == 0) return;
            _sackedBytes -= _ranges[0].Right - _ranges[0].Left;
            Array.Copy(_ranges, 1, _ranges, 0, first - 1);
            first--;
            _count--;
            _ranges[first] = new SackBlock(left, right);
            _count++;
            _sackedBytes += right - left;
            // The ranges after `first` did not move: the shift only closed the gap below it.
            return;
        }

        Array.Copy(_ranges, first, _ranges, first + 1, _count - first);
        _ranges[first] = new SackBlock(left, right);
        _count++;
        _sackedBytes += right - left;
    }

    /// <summary>The index of the first range whose right edge lies above <paramref name="seq"/> (ranges are sorted).</summary>
    private int FirstRangeEndingAfter(TcpSeq seq)
    {
        int low = 0;
        int high = _count;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (_ranges[mid].Right <= seq) low = mid + 1;
            else high = mid;
        }
        return low;
    }
}

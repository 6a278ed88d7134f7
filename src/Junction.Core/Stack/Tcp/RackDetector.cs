using System.Buffers;
using System.Numerics;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// RACK (RFC 8985): time-based loss detection over a log of the segments in flight. Each record is one segment as
/// sent, with the time of its latest transmission; a segment is lost once a segment sent after it was delivered
/// (cumulatively or selectively acknowledged) and more than RACK.rtt plus a reordering window has passed since it was
/// sent. Unlike the duplicate-ACK threshold this also finds lost retransmissions and losses at the tail.
/// </summary>
/// <remarks>
/// The log is a ring of records in sequence order rented from <see cref="ArrayPool{T}.Shared"/>: it grows by doubling
/// (no allocation once the pool is warm) and goes back when nothing is in flight, so an idle connection holds nothing.
/// When <see cref="MaxRecords"/> records are in flight the sender waits (<see cref="IsFull"/>).
/// </remarks>
internal sealed class RackDetector : IDisposable
{
    /// <summary>The most segments the log tracks; the sender holds new data back beyond it.</summary>
    public const int MaxRecords = 1 << 16;

    private const int InitialRecords = 64;
    private const int MaxReorderWindowMultiplier = 16;
    private const int RecoveriesBeforeMultiplierReset = 16;

    private Record[]? _ring;
    private int _capacity;
    private int _head;
    private int _count;

    // RACK.xmit_ts, RACK.end_seq and RACK.rtt (RFC 8985 6.1): the most recently sent segment delivered so far.
    private long _rackSent = long.MinValue;
    private TcpSeq _rackEnd;
    private long _rackRtt;
    private bool _reorderingSeen;
    private int _reorderWindowMultiplier = 1;
    private bool _dsackRoundActive;
    private TcpSeq _dsackRoundEnd;
    private int _recoveriesSinceMultiplierChange;
    private TcpSeq _highestSacked;
    private bool _anySacked;

    [Flags]
    private enum Flags : byte
    {
        None = 0,
        Retransmitted = 1,
        Sacked = 2,
        Lost = 4,
    }

    private struct Record
    {
        public TcpSeq Start;
        public TcpSeq End;
        public long Sent; // microseconds of the latest transmission
        public Flags Flags;
    }

    /// <summary>Bytes of records marked lost and not retransmitted since.</summary>
    public int LostBytes { get; private set; }

    /// <summary>Bytes of records selectively acknowledged.</summary>
    public int SackedBytes { get; private set; }

    /// <summary>How many segments are in the log.</summary>
    public int Count => _count;

    /// <summary>Whether the log cannot take another new segment.</summary>
    public bool IsFull => _count >= MaxRecords;

    /// <summary>Whether a reordering was observed on this connection (it widens the reordering window).</summary>
    public bool ReorderingSeen => _reorderingSeen;

    /// <summary>RACK.reo_wnd_mult: grows by one per round trip that brought a D-SACK (RFC 8985 6.2 step 4).</summary>
    public int ReorderWindowMultiplier => _reorderWindowMultiplier;

    /// <summary>
    /// Records the transmission of [<paramref name="start"/>, <paramref name="end"/>) (FIN included): new data is
    /// appended, a retransmission re-stamps the records it covers and clears their loss mark.
    /// </summary>
    public void OnSend(TcpSeq start, TcpSeq end, Instant now)
    {
        if (end <= start) return;
        TcpSeq tail = _count == 0 ? start : At(_count - 1).End;
        if (start < tail)
        {
            TcpSeq overlapEnd = TcpSeq.Min(end, tail);
            for (int i = FirstEndingAfter(start); i < _count; i++)
            {
                ref Record r = ref At(i);
                if (r.Start >= overlapEnd) break;
                if ((r.Flags & Flags.Lost) != 0) LostBytes -= r.End - r.Start;
                r.Flags = (r.Flags & ~Flags.Lost) | Flags.Retransmitted;
                r.Sent = now.Microseconds;
            }
            if (end <= tail) return;
            start = tail;
        }
        if (_count > 0 && start != tail) return; // never leave a gap in the log (cannot happen: data is sent in order)
        if (IsFull) return;
        EnsureRoom();
        ref Record added = ref At(_count++);
        added.Start = start;
        added.End = end;
        added.Sent = now.Microseconds;
        added.Flags = Flags.None;
    }

    /// <summary>
    /// Processes one ACK: the records below <paramref name="ack"/> and inside <paramref name="sackBlocks"/> were
    /// delivered (RACK_update); a D-SACK grows the reordering window once per round trip.
    /// </summary>
    /// <param name="ack">The cumulative acknowledgment (at least the previous one).</param>
    /// <param name="sndMax">The highest sequence number sent (for the D-SACK round).</param>
    /// <param name="sackBlocks">The ACK's SACK blocks as received (a first block below <paramref name="ack"/> is a D-SACK).</param>
    /// <param name="now">The arrival time.</param>
    /// <param name="minRtt">The smallest RTT measured: a retransmitted segment acknowledged faster was the original's ACK.</param>
    /// <returns>Whether the ACK carried a D-SACK.</returns>
    public bool OnAck(TcpSeq ack, TcpSeq sndMax, ReadOnlySpan<SackBlock> sackBlocks, Instant now, TimeSpan minRtt)
    {
        long nowUs = now.Microseconds;
        long minRttUs = minRtt.Ticks / TimeSpan.TicksPerMicrosecond;
        TcpSeq highestBefore = _highestSacked;
        bool anySackedBefore = _anySacked;

        // Cumulatively acknowledged records.
        while (_count > 0 && At(0).End <= ack)
        {
            ref Record r = ref At(0);
            if ((r.Flags & Flags.Sacked) == 0)
            {
                Delivered(ref r, nowUs, minRttUs);
                if ((r.Flags & Flags.Retransmitted) == 0 && anySackedBefore && r.End < highestBefore) _reorderingSeen = true;
            }
            else
            {
                SackedBytes -= r.End - r.Start;
            }
            if ((r.Flags & Flags.Lost) != 0) LostBytes -= r.End - r.Start;
            _head = (_head + 1) & (_capacity - 1);
            _count--;
        }
        if (_count > 0 && At(0).Start < ack)
        {
            // A partial acknowledgment of the first record: it now starts at the ACK.
            ref Record first = ref At(0);
            int cut = ack - first.Start;
            if ((first.Flags & Flags.Sacked) != 0) SackedBytes -= cut;
            if ((first.Flags & Flags.Lost) != 0) LostBytes -= cut;
            first.Start = ack;
        }

        bool dsack = false;
        for (int b = 0; b < sackBlocks.Length; b++)
        {
            SackBlock block = sackBlocks[b];
            if (block.Right <= block.Left) continue;
            if (b == 0 && (block.Right <= ack || (sackBlocks.Length > 1 && block.Left >= sackBlocks[1].Left && block.Right <= sackBlocks[1].Right)))
            {
                dsack = true; // RFC 2883: the first block reports a duplicate
                continue;
            }
            if (block.Right > sndMax || block.Right - ack > sndMax - ack) continue;
            for (int i = FirstEndingAfter(block.Left); i < _count; i++)
            {
                ref Record r = ref At(i);
                if (r.Start >= block.Right) break;
                if ((r.Flags & Flags.Sacked) != 0 || r.Start < block.Left || r.End > block.Right) continue;
                r.Flags |= Flags.Sacked;
                SackedBytes += r.End - r.Start;
                if ((r.Flags & Flags.Lost) != 0)
                {
                    r.Flags &= ~Flags.Lost;
                    LostBytes -= r.End - r.Start;
                }
                Delivered(ref r, nowUs, minRttUs);
                // A segment never retransmitted arriving below one SACKed earlier was reordered, not lost.
                if ((r.Flags & Flags.Retransmitted) == 0 && anySackedBefore && r.End < highestBefore) _reorderingSeen = true;
                if (!_anySacked || r.End > _highestSacked)
                {
                    _highestSacked = r.End;
                    _anySacked = true;
                }
            }
        }
        if (_anySacked && _highestSacked <= ack) _anySacked = false;

        if (_dsackRoundActive && ack >= _dsackRoundEnd) _dsackRoundActive = false;
        if (dsack && !_dsackRoundActive)
        {
            _dsackRoundActive = true;
            _dsackRoundEnd = sndMax;
            if (_reorderWindowMultiplier < MaxReorderWindowMultiplier) _reorderWindowMultiplier++;
            _recoveriesSinceMultiplierChange = 0;
        }
        if (_count == 0) ReturnStorage();
        return dsack;
    }

    /// <summary>A loss recovery ended: after 16 of them without a D-SACK the reordering window shrinks back (RFC 8985 6.2).</summary>
    public void OnRecoveryEnded()
    {
        if (++_recoveriesSinceMultiplierChange >= RecoveriesBeforeMultiplierReset)
        {
            _reorderWindowMultiplier = 1;
            _recoveriesSinceMultiplierChange = 0;
        }
    }

    /// <summary>
    /// RACK_detect_loss (RFC 8985 6.2 step 5): marks lost every segment sent before RACK's segment whose time is up.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="minRtt">RACK.min_RTT.</param>
    /// <param name="smoothedRtt">SRTT, the cap of the reordering window.</param>
    /// <param name="inRecovery">Whether fast or timeout recovery is in progress (the window is 0 then, until reordering is seen).</param>
    /// <param name="dupThreshBytes">DupThresh segments in bytes: with that much SACKed the window is 0 too.</param>
    /// <param name="reorderDeadline">When the next segment's time will be up (<see cref="Instant.Never"/> when none is pending).</param>
    /// <returns>How many bytes were newly marked lost.</returns>
    public int DetectLosses(Instant now, TimeSpan minRtt, TimeSpan smoothedRtt, bool inRecovery, int dupThreshBytes, out Instant reorderDeadline)
    {
        reorderDeadline = Instant.Never;
        if (_count == 0 || _rackSent == long.MinValue) return 0;
        long nowUs = now.Microseconds;
        long window = ReorderWindow(minRtt, smoothedRtt, inRecovery, dupThreshBytes);
        long longestWait = 0;
        int marked = 0;
        for (int i = 0; i < _count; i++)
        {
            ref Record r = ref At(i);
            if ((r.Flags & (Flags.Sacked | Flags.Lost)) != 0) continue;
            bool sentBeforeRack = r.Sent < _rackSent || (r.Sent == _rackSent && r.End < _rackEnd);
            if (!sentBeforeRack)
            {
                // Originals are sent in sequence order, and a retransmission is later than its original: once an
                // original is newer than RACK's segment, so is every record above it.
                if ((r.Flags & Flags.Retransmitted) == 0) break;
                continue;
            }
            long remaining = r.Sent + _rackRtt + window - nowUs;
            if (remaining <= 0)
            {
                r.Flags |= Flags.Lost;
                int length = r.End - r.Start;
                LostBytes += length;
                marked += length;
            }
            else if (remaining > longestWait)
            {
                longestWait = remaining;
            }
        }
        if (longestWait > 0) reorderDeadline = new Instant(nowUs + longestWait);
        return marked;
    }

    /// <summary>The first segment marked lost and not retransmitted since, if any.</summary>
    public bool TryGetFirstLost(out TcpSeq start, out int length)
    {
        start = default;
        length = 0;
        if (LostBytes == 0) return false;
        for (int i = 0; i < _count; i++)
        {
            ref Record r = ref At(i);
            if ((r.Flags & Flags.Lost) == 0) continue;
            start = r.Start;
            length = r.End - r.Start;
            return true;
        }
        return false;
    }

    /// <summary>The last segment in the log (what a tail loss probe resends when there is no new data).</summary>
    public bool TryGetLast(out TcpSeq start, out int length)
    {
        start = default;
        length = 0;
        if (_count == 0) return false;
        ref Record r = ref At(_count - 1);
        start = r.Start;
        length = r.End - r.Start;
        return true;
    }

    /// <summary>
    /// A retransmission timeout: the receiver may have reneged on SACKed data (RFC 2018 8) and everything from SND.UNA
    /// goes out again, so the SACK and loss marks are forgotten; RACK's state stays.
    /// </summary>
    public void OnRetransmissionTimeout()
    {
        for (int i = 0; i < _count; i++) At(i).Flags &= ~(Flags.Sacked | Flags.Lost);
        SackedBytes = 0;
        LostBytes = 0;
        _anySacked = false;
    }

    /// <summary>Gives the log back to the pool.</summary>
    public void Dispose()
    {
        _count = 0;
        SackedBytes = 0;
        LostBytes = 0;
        ReturnStorage();
    }

    /// <summary>RACK.reo_wnd in microseconds (RFC 8985 6.2 step 4).</summary>
    private long ReorderWindow(TimeSpan minRtt, TimeSpan smoothedRtt, bool inRecovery, int dupThreshBytes)
    {
        if (!_reorderingSeen && (inRecovery || SackedBytes >= dupThreshBytes)) return 0;
        long window = minRtt.Ticks / TimeSpan.TicksPerMicrosecond / 4 * _reorderWindowMultiplier;
        return Math.Min(window, smoothedRtt.Ticks / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>RACK_update for one delivered record (RFC 8985 6.2 step 2).</summary>
    private void Delivered(ref Record r, long nowUs, long minRttUs)
    {
        long rtt = nowUs - r.Sent;
        // A retransmission acknowledged faster than any round trip: the ACK was for the original.
        if ((r.Flags & Flags.Retransmitted) != 0 && rtt < minRttUs) return;
        _rackRtt = rtt;
        if (_rackSent == long.MinValue || r.Sent > _rackSent || (r.Sent == _rackSent && r.End > _rackEnd))
        {
            _rackSent = r.Sent;
            _rackEnd = r.End;
        }
    }

    private ref Record At(int index) => ref _ring![(_head + index) & (_capacity - 1)];

    /// <summary>The index of the first record ending after <paramref name="seq"/> (records are in sequence order).</summary>
    private int FirstEndingAfter(TcpSeq seq)
    {
        int low = 0;
        int high = _count;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (At(mid).End <= seq) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    private void EnsureRoom()
    {
        if (_ring is not null && _count < _capacity) return;
        int size = _ring is null ? InitialRecords : _capacity * 2;
        Record[] grown = ArrayPool<Record>.Shared.Rent(size);
        if (_ring is not null)
        {
            for (int i = 0; i < _count; i++) grown[i] = At(i);
            ArrayPool<Record>.Shared.Return(_ring);
        }
        _ring = grown;
        // Rent may hand out a larger array; the ring uses the largest power of two that fits so indexes wrap with a mask.
        _capacity = 1 << BitOperations.Log2((uint)grown.Length);
        _head = 0;
    }

    private void ReturnStorage()
    {
        _head = 0;
        if (_ring is null) return;
        ArrayPool<Record>.Shared.Return(_ring);
        _ring = null;
        _capacity = 0;
    }
}

using System.Buffers;
using Junction.Devices;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// What the peer sent that the application has not read yet. Payload stays in the device frames it arrived in
/// (zero-copy): every piece kept holds one extra reference on its frame (<see cref="Frame.AddRef"/>), released
/// when the piece is read, trimmed away, or on <see cref="Dispose"/>. Offsets are relative to RCV.NXT.
/// </summary>
/// <remarks>
/// <para>In-order pieces sit in a ring of <see cref="Frame"/> values; out-of-order pieces in an array sorted by
/// sequence, kept disjoint (a new piece is trimmed against its neighbours and replaces the ones it covers). Both
/// arrays are allocated with the buffer, start small and double when full, which happens rarely and never beyond
/// <see cref="MaxHeldSegments"/>; in steady state Insert and Read do not allocate.</para>
/// <para>The number of frames held is capped (<see cref="MaxHeldSegments"/>, derived from <see cref="Capacity"/>)
/// so a peer sending tiny segments cannot drain the device pool: tiny in-order segments are copied into the unused
/// tail of the previous frame when only this buffer references it, and when the cap is reached out-of-order data
/// gives way (the highest piece is dropped, RFC 2018 allows that) before in-order data is refused.</para>
/// <para>The advertised window is <see cref="Capacity"/> - <see cref="Available"/>: out-of-order data always lies
/// inside that window, so it needs no separate reservation, and subtracting it would move the right edge back
/// (shrink the window, which RFC 9293 3.8.6 asks receivers not to do).</para>
/// </remarks>
internal sealed class TcpReceiveBuffer : IDisposable
{
    /// <summary>In-order segments at most this long are copied into the previous frame's spare room rather than holding their own frame.</summary>
    internal const int SmallSegmentBytes = 256;

    /// <summary>Capacity bytes per frame the cap allows: tiny segments cannot pin more frames than this ratio permits.</summary>
    internal const int BytesPerHeldSegment = 512;

    /// <summary>The cap's floor, so small buffers still take a handful of out-of-order segments.</summary>
    internal const int MinHeldSegments = 16;

    private const int InitialSlots = 8;

    private Frame[] _inOrder = new Frame[InitialSlots];
    private int _inHead;
    private int _inCount;

    private OutOfOrderSegment[] _outOfOrder = new OutOfOrderSegment[InitialSlots];
    private int _oooCount;

    // Stream positions are 64-bit byte counts since the buffer was created, so they never wrap;
    // only the conversion to TcpSeq for SACK blocks deals with sequence-number arithmetic.
    private long _rcvPos;
    private int _available;
    private int _oooBytes;
    private int _capacity;
    private int _maxHeldSegments;
    private long _stamp;
    private bool _disposed;
    private bool _lent;
    private bool _releaseDeferred;

    private FrameMemoryManager[] _managers = [];
    private FrameSequenceSegment[] _links = [];

    /// <summary>Creates an empty buffer holding at most <paramref name="capacity"/> bytes.</summary>
    public TcpReceiveBuffer(int capacity)
    {
        Capacity = capacity;
    }

    /// <summary>The most bytes held, in order plus out of order; the advertised window derives from it.</summary>
    public int Capacity
    {
        get => _capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _capacity = value;
            _maxHeldSegments = Math.Max(MinHeldSegments, value / BytesPerHeldSegment);
        }
    }

    /// <summary>In-order bytes the application can read.</summary>
    public int Available => _available;

    /// <summary>Bytes held beyond a gap.</summary>
    public int OutOfOrderBytes => _oooBytes;

    /// <summary>The receive window to advertise: <see cref="Capacity"/> - <see cref="Available"/>, never below zero (see remarks).</summary>
    public int Window => Math.Max(0, _capacity - _available);

    /// <summary>Frames (pieces) held right now, in order plus out of order.</summary>
    internal int HeldSegments => _inCount + _oooCount;

    /// <summary>The most frames held at once.</summary>
    internal int MaxHeldSegments => _maxHeldSegments;

    /// <summary>Out-of-order pieces held.</summary>
    internal int OutOfOrderSegmentCount => _oooCount;

    /// <summary>Segments (or pieces of segments) refused or evicted because the frame cap was reached.</summary>
    internal long DroppedSegments { get; private set; }

    /// <summary>
    /// Adds payload that starts <paramref name="offset"/> bytes after RCV.NXT (negative for a retransmission that
    /// overlaps bytes already received: that part is trimmed). <paramref name="payload"/>'s window is exactly the
    /// payload; it is only lent for this call, and the buffer takes its own reference on what it keeps.
    /// Bytes beyond <see cref="Capacity"/> are trimmed and duplicates dropped.
    /// </summary>
    /// <returns>How many bytes became in order, i.e. how far RCV.NXT advances (may include queued out-of-order data).</returns>
    public int Insert(int offset, in Frame payload)
    {
        if (_disposed || payload.IsEmpty || payload.Length <= 0) return 0;
        long begin = Math.Max(0, offset);
        long end = Math.Min((long)offset + payload.Length, Window);
        if (end <= begin) return 0;
        int skip = (int)(begin - offset);
        int length = (int)(end - begin);
        if (begin == 0) return InsertInOrder(payload, skip, length);
        InsertOutOfOrder(_rcvPos + begin, payload, skip, length);
        return 0;
    }

    /// <summary>Copies and consumes in-order bytes; frames read completely go back to their pool.</summary>
    /// <returns>How many bytes were copied.</returns>
    public int Read(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length && _inCount > 0)
        {
            Frame head = _inOrder[_inHead];
            int n = Math.Min(head.Length, destination.Length - total);
            head.Span.Slice(0, n).CopyTo(destination.Slice(total));
            total += n;
            ConsumeHead(n);
        }
        return total;
    }

    /// <summary>Consumes up to <paramref name="count"/> in-order bytes without copying them.</summary>
    /// <returns>How many bytes were consumed.</returns>
    public int Discard(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int total = 0;
        while (total < count && _inCount > 0)
        {
            int n = Math.Min(_inOrder[_inHead].Length, count - total);
            total += n;
            ConsumeHead(n);
        }
        return total;
    }

    /// <summary>
    /// The in-order payload as a sequence over the frames it sits in (no copy). The sequence stays valid until the
    /// buffer is next changed (Insert, Read, Discard, Dispose) or PeekSequence is called again: its nodes are reused.
    /// </summary>
    public ReadOnlySequence<byte> PeekSequence()
    {
        if (_available == 0) return ReadOnlySequence<byte>.Empty;
        EnsureSequenceNodes(_inCount);
        int mask = _inOrder.Length - 1;
        if (_inCount == 1)
        {
            Frame only = _inOrder[_inHead];
            _managers[0].Reset(only.Pool, only.Index);
            return new ReadOnlySequence<byte>(_managers[0].Slice(only.Offset, only.Length));
        }
        long running = 0;
        for (int k = 0; k < _inCount; k++)
        {
            Frame frame = _inOrder[(_inHead + k) & mask];
            _managers[k].Reset(frame.Pool, frame.Index);
            _links[k].Reset(_managers[k].Slice(frame.Offset, frame.Length), running);
            if (k > 0) _links[k - 1].SetNext(_links[k]);
            running += frame.Length;
        }
        FrameSequenceSegment last = _links[_inCount - 1];
        return new ReadOnlySequence<byte>(_links[0], 0, last, last.Memory.Length);
    }

    /// <summary>
    /// Writes SACK blocks (RFC 2018) for the out-of-order data as absolute sequence numbers, given
    /// <paramref name="rcvNxt"/>: first the block holding the most recently received segment, then the others,
    /// most recently changed first.
    /// </summary>
    /// <returns>How many blocks were written (at most destination.Length).</returns>
    public int GetSackBlocks(TcpSeq rcvNxt, Span<SackBlock> destination)
    {
        int written = 0;
        long previousStamp = long.MaxValue;
        while (written < destination.Length)
        {
            // Pick the contiguous run with the newest stamp older than the last one written (stamps are unique).
            long bestStamp = long.MinValue;
            long bestStart = 0;
            long bestEnd = 0;
            int k = 0;
            while (k < _oooCount)
            {
                long runStart = _outOfOrder[k].Start;
                long runEnd = _outOfOrder[k].End;
                long runStamp = _outOfOrder[k].Stamp;
                k++;
                while (k < _oooCount && _outOfOrder[k].Start == runEnd)
                {
                    runEnd = _outOfOrder[k].End;
                    runStamp = Math.Max(runStamp, _outOfOrder[k].Stamp);
                    k++;
                }
                if (runStamp < previousStamp && runStamp > bestStamp)
                {
                    bestStamp = runStamp;
                    bestStart = runStart;
                    bestEnd = runEnd;
                }
            }
            if (bestStamp == long.MinValue) break;
            destination[written++] = new SackBlock(rcvNxt + (int)(bestStart - _rcvPos), rcvNxt + (int)(bestEnd - _rcvPos));
            previousStamp = bestStamp;
        }
        return written;
    }

    /// <summary>
    /// Marks the in-order frames as lent to a reader on another thread (a sequence from <see cref="PeekSequence"/>
    /// may be in use there): until <see cref="EndLend"/>, <see cref="Dispose"/> stops taking data but keeps the
    /// frames, so the reader never sees a frame that went back to the device.
    /// </summary>
    public void BeginLend() => _lent = true;

    /// <summary>Ends <see cref="BeginLend"/>; if the buffer was disposed meanwhile, its frames are released now.</summary>
    public void EndLend()
    {
        _lent = false;
        if (!_releaseDeferred) return;
        _releaseDeferred = false;
        ReleaseAll();
    }

    /// <summary>Releases every frame held (later, at <see cref="EndLend"/>, while lent); the buffer takes nothing afterwards.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_lent)
        {
            _releaseDeferred = true;
            return;
        }
        ReleaseAll();
    }

    private void ReleaseAll()
    {
        int mask = _inOrder.Length - 1;
        for (int k = 0; k < _inCount; k++)
        {
            ref Frame frame = ref _inOrder[(_inHead + k) & mask];
            frame.Release();
            frame = default;
        }
        _inCount = 0;
        _inHead = 0;
        _available = 0;
        for (int k = 0; k < _oooCount; k++)
        {
            _outOfOrder[k].Frame.Release();
            _outOfOrder[k] = default;
        }
        _oooCount = 0;
        _oooBytes = 0;
    }

    private int InsertInOrder(in Frame payload, int skip, int length)
    {
        if (!TryAppendInOrder(payload, skip, length))
        {
            DroppedSegments++;
            return 0;
        }
        _rcvPos += length;
        _available += length;
        int advanced = length;

        // The new bytes may reach queued out-of-order pieces: drop those now covered, move those now contiguous.
        int done = 0;
        while (done < _oooCount)
        {
            ref OutOfOrderSegment segment = ref _outOfOrder[done];
            if (segment.Start > _rcvPos) break;
            done++;
            _oooBytes -= segment.Frame.Length;
            if (segment.End <= _rcvPos)
            {
                segment.Frame.Release();
                segment = default;
                continue;
            }
            int overlap = (int)(_rcvPos - segment.Start);
            Frame piece = segment.Frame.WithWindow(segment.Frame.Offset + overlap, segment.Frame.Length - overlap);
            segment = default;
            PushInOrder(piece);
            _rcvPos += piece.Length;
            _available += piece.Length;
            advanced += piece.Length;
        }
        if (done > 0)
        {
            Array.Copy(_outOfOrder, done, _outOfOrder, 0, _oooCount - done);
            _oooCount -= done;
            Array.Clear(_outOfOrder, _oooCount, done);
        }
        return advanced;
    }

    private bool TryAppendInOrder(in Frame payload, int skip, int length)
    {
        if (_inCount > 0 && (length <= SmallSegmentBytes || HeldSegments >= _maxHeldSegments))
        {
            // Copying a tiny segment behind the previous one costs little and saves a whole frame. Safe only when
            // this buffer holds the sole reference: then nobody else looks at the frame's unused tail.
            ref Frame tail = ref _inOrder[(_inHead + _inCount - 1) & (_inOrder.Length - 1)];
            int tailEnd = tail.Offset + tail.Length;
            if (tail.Pool.FrameSize - tailEnd >= length && tail.Pool.GetRefCount(tail.Index) == 1)
            {
                payload.Span.Slice(skip, length).CopyTo(tail.Pool.GetFrameSpan(tail.Index).Slice(tailEnd));
                tail = tail.WithWindow(tail.Offset, tail.Length + length);
                return true;
            }
        }
        if (HeldSegments >= _maxHeldSegments)
        {
            if (_oooCount == 0) return false;
            EvictHighestOutOfOrder();
        }
        payload.AddRef();
        PushInOrder(payload.WithWindow(payload.Offset + skip, length));
        return true;
    }

    private void InsertOutOfOrder(long start, in Frame payload, int skip, int length)
    {
        long originalStart = start;
        long end = start + length;
        int i = FirstOutOfOrderEndingAfter(start);
        if (i < _oooCount && _outOfOrder[i].Start <= start)
        {
            if (_outOfOrder[i].End >= end)
            {
                // A duplicate: nothing to keep, but its block is still the one to report first.
                _outOfOrder[i].Stamp = ++_stamp;
                return;
            }
            start = _outOfOrder[i].End;
            i++;
        }
        int j = i;
        while (j < _oooCount && _outOfOrder[j].Start < end)
        {
            if (_outOfOrder[j].End > end)
            {
                end = _outOfOrder[j].Start;
                break;
            }
            j++; // wholly covered by the new piece: it is replaced below
        }
        if (end <= start)
        {
            // Every byte is already held, in neighbouring pieces.
            _outOfOrder[i - 1].Stamp = ++_stamp;
            return;
        }

        int covered = j - i;
        if (covered == 0 && HeldSegments >= _maxHeldSegments)
        {
            // Keep the data nearest RCV.NXT: it is what lets the stream advance first.
            DroppedSegments++;
            if (i >= _oooCount) return;
            EvictHighestOutOfOrder();
        }

        for (int k = i; k < j; k++)
        {
            _oooBytes -= _outOfOrder[k].Frame.Length;
            _outOfOrder[k].Frame.Release();
        }
        skip += (int)(start - originalStart);
        payload.AddRef();
        var piece = new OutOfOrderSegment(start, payload.WithWindow(payload.Offset + skip, (int)(end - start)), ++_stamp);
        if (covered == 0)
        {
            if (_oooCount == _outOfOrder.Length) Array.Resize(ref _outOfOrder, _outOfOrder.Length * 2);
            Array.Copy(_outOfOrder, i, _outOfOrder, i + 1, _oooCount - i);
            _oooCount++;
        }
        else if (covered > 1)
        {
            Array.Copy(_outOfOrder, j, _outOfOrder, i + 1, _oooCount - j);
            int newCount = _oooCount - covered + 1;
            Array.Clear(_outOfOrder, newCount, _oooCount - newCount);
            _oooCount = newCount;
        }
        _outOfOrder[i] = piece;
        _oooBytes += piece.Frame.Length;
    }

    private void EvictHighestOutOfOrder()
    {
        ref OutOfOrderSegment last = ref _outOfOrder[--_oooCount];
        _oooBytes -= last.Frame.Length;
        last.Frame.Release();
        last = default;
    }

    private void PushInOrder(Frame piece)
    {
        if (_inCount == _inOrder.Length)
        {
            var grown = new Frame[_inOrder.Length * 2];
            for (int k = 0; k < _inCount; k++) grown[k] = _inOrder[(_inHead + k) & (_inOrder.Length - 1)];
            _inOrder = grown;
            _inHead = 0;
        }
        _inOrder[(_inHead + _inCount) & (_inOrder.Length - 1)] = piece;
        _inCount++;
    }

    private void ConsumeHead(int n)
    {
        ref Frame head = ref _inOrder[_inHead];
        _available -= n;
        if (n == head.Length)
        {
            head.Release();
            head = default;
            _inHead = (_inHead + 1) & (_inOrder.Length - 1);
            _inCount--;
        }
        else
        {
            head = head.WithWindow(head.Offset + n, head.Length - n);
        }
    }

    private int FirstOutOfOrderEndingAfter(long position)
    {
        int low = 0;
        int high = _oooCount;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (_outOfOrder[mid].End <= position) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    private void EnsureSequenceNodes(int count)
    {
        if (_managers.Length >= count) return;
        int size = Math.Max(InitialSlots, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count));
        int old = _managers.Length;
        Array.Resize(ref _managers, size);
        Array.Resize(ref _links, size);
        for (int k = old; k < size; k++)
        {
            _managers[k] = new FrameMemoryManager();
            _links[k] = new FrameSequenceSegment();
        }
    }

    /// <summary>A piece of payload held beyond a gap, at stream position <see cref="Start"/>.</summary>
    private struct OutOfOrderSegment(long start, Frame frame, long stamp)
    {
        public long Start = start;
        public Frame Frame = frame;

        /// <summary>When the piece last arrived (or was last re-received), for ordering SACK blocks.</summary>
        public long Stamp = stamp;

        public readonly long End => Start + Frame.Length;
    }
}

using Junction.Devices;

namespace Junction.Stack.Tcp;

/// <summary>
/// Bytes the application wrote and the peer has not acknowledged yet, kept in device frames (a chain of pieces), so a
/// segment can leave from the very frame its payload was written into. Offsets are relative to SND.UNA (offset 0 = the
/// first unacknowledged byte).
/// </summary>
/// <remarks>
/// <para>Each piece is a window [Start, End) of one frame of the device's pool on which the buffer holds one reference.
/// Payload never starts before <see cref="HeaderRoom"/>, so Ethernet, IPv4 and TCP headers with every option fit in
/// front of it. An acknowledgement moves the head piece's Start (a partial ACK stays inside the frame); a fully
/// acknowledged piece gives its reference back at once, so an idle connection holds no frame.</para>
/// <para>Two ways in. <see cref="Write"/> copies (the TcpConnection API) into frames the buffer rents and fills them up;
/// segments run across those pieces as they always did. <see cref="AppendFrame"/> takes bytes a writer put into a frame
/// of its own (the writer keeps its reference, the buffer adds one): a segment never runs past the end of such a piece
/// (<see cref="SegmentLimit"/>), because a segment must lie in one frame to leave from it
/// (<see cref="TryGetFrameInPlace"/>). Everything runs on the thread that holds the stack, except the few members the
/// writer reads from its own thread (<see cref="IsFrameSealed"/>).</para>
/// </remarks>
internal sealed class TcpSendBuffer : IDisposable
{
    /// <summary>Bytes in front of the payload kept for headers: Ethernet 14 + IPv4 20 + TCP with all options 60, cache-line aligned.</summary>
    internal const int HeaderRoom = 128;

    /// <summary>The largest capacity.</summary>
    public const int MaxCapacity = 1 << 30;

    /// <summary>
    /// Frames the send path leaves in a pool (64, at most a sixteenth of it) for the ACKs, resets and window updates
    /// the stack sends itself. Receiving is provided for by the device: an AF_XDP port keeps its fill ring topped up
    /// from every free frame above its transmit reserve, so send data only ever takes frames below that.
    /// </summary>
    internal static int PoolReserve(FramePool pool) => Math.Min(64, pool.FrameCount / 16);

    private const int InitialPieces = 8;

    private readonly FramePool _pool;
    private Piece[] _pieces = new Piece[InitialPieces];
    private int _head;
    private int _pieceCount;
    private int _count;
    private int _capacity;
    // Where the last lookup ended (a piece relative to the head, and the offset it starts at): segments go out in order.
    private int _cursor;
    private int _cursorOffset;
    private int _sentOpenFrame = -1;

    /// <summary>Creates an empty buffer over frames of <paramref name="pool"/> that will hold at most <paramref name="capacity"/> bytes.</summary>
    public TcpSendBuffer(FramePool pool, int capacity)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (pool.FrameSize <= HeaderRoom) throw new ArgumentException("The pool's frames leave no room for payload after the headers.", nameof(pool));
        _pool = pool;
        Capacity = capacity;
    }

    /// <summary>
    /// The most bytes the buffer takes. Lowering it below <see cref="Count"/> keeps the bytes already held and
    /// takes no more until acknowledgements bring <see cref="Count"/> under the new value.
    /// </summary>
    public int Capacity
    {
        get => _capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxCapacity);
            _capacity = value;
        }
    }

    /// <summary>Bytes held: sent-but-unacknowledged plus not-yet-sent.</summary>
    public int Count => _count;

    /// <summary>Room for more bytes (<see cref="Capacity"/> - <see cref="Count"/>, never below zero).</summary>
    public int Free => Math.Max(0, _capacity - _count);

    /// <summary>
    /// What <see cref="Write"/> takes right now: <see cref="Free"/>, bounded by the room in the tail frame and the frames
    /// the pool can still lend above its <see cref="PoolReserve"/> (the pool is shared: the answer holds until someone
    /// else rents).
    /// </summary>
    public int Writable
    {
        get
        {
            int tailRoom = _pieceCount == 0 || Tail.Bounded ? 0 : _pool.FrameSize - Tail.End;
            long lendable = Math.Max(0, _pool.FreeCount - PoolReserve(_pool));
            long room = tailRoom + lendable * (_pool.FrameSize - HeaderRoom);
            return (int)Math.Min(Free, room);
        }
    }

    /// <summary>The pool the frames come from.</summary>
    internal FramePool Pool => _pool;

    /// <summary>Frames held right now (one reference each; a frame appended twice counts twice).</summary>
    internal int FrameCount => _pieceCount;

    /// <summary>
    /// How many pieces the buffer holds before a writer should stop starting a fresh frame after each transmission:
    /// beyond it small flushes share frames again (copied when sent), so tiny writes cannot pin a frame each.
    /// </summary>
    internal int SealedFrameLimit => Math.Max(16, _capacity / 1024);

    /// <summary>
    /// Rents a frame for send payload unless the pool is down to its <see cref="PoolReserve"/>.
    /// </summary>
    internal static bool TryRentFrame(FramePool pool, out Frame frame)
    {
        if (pool.FreeCount <= PoolReserve(pool))
        {
            frame = default;
            return false;
        }
        return pool.TryRent(out frame);
    }

    /// <summary>Appends as much of <paramref name="data"/> as fits the capacity and the pool, copying it into frames.</summary>
    /// <returns>How many bytes were taken.</returns>
    public int Write(ReadOnlySpan<byte> data)
    {
        int take = Math.Min(data.Length, Free);
        int written = 0;
        while (written < take)
        {
            if (_pieceCount == 0 || Tail.Bounded || Tail.End == _pool.FrameSize)
            {
                if (!TryRentFrame(_pool, out Frame frame)) break;
                Push(new Piece { Index = frame.Index, Start = HeaderRoom, End = HeaderRoom });
            }
            ref Piece tail = ref Tail;
            int n = Math.Min(take - written, _pool.FrameSize - tail.End);
            data.Slice(written, n).CopyTo(_pool.GetFrameSpan(tail.Index)[tail.End..]);
            tail.End += n;
            written += n;
        }
        _count += written;
        return written;
    }

    /// <summary>
    /// Queues bytes [<paramref name="start"/>, <paramref name="end"/>) a writer put into frame <paramref name="index"/>
    /// of the pool, after the bytes held. The writer keeps its own reference; the buffer takes one. With
    /// <paramref name="open"/> the writer may go on filling the frame right after <paramref name="end"/>, and the next
    /// call for it extends this piece. Ignores <see cref="Capacity"/>: the writer does its own back-pressure.
    /// </summary>
    public void AppendFrame(int index, int start, int end, bool open)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(start, HeaderRoom);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, _pool.FrameSize);
        if (_pieceCount > 0)
        {
            ref Piece tail = ref Tail;
            if (tail.Open && tail.Index == index && tail.End == start)
            {
                tail.End = end;
                tail.Open = open;
                _count += end - start;
                return;
            }
        }
        if (end == start) return;
        _pool.AddRef(index);
        Push(new Piece { Index = index, Start = start, End = end, Bounded = true, Open = open });
        _count += end - start;
    }

    /// <summary>The writer stopped filling frame <paramref name="index"/> (and is about to release its reference).</summary>
    public void CloseFrame(int index)
    {
        if (_pieceCount == 0) return;
        ref Piece tail = ref Tail;
        if (tail.Index == index) tail.Open = false;
    }

    /// <summary>
    /// Whether bytes of the writer's open frame <paramref name="index"/> went out, so that the writer should put
    /// later bytes into a fresh frame (a segment after unacknowledged bytes of its frame would have to be copied).
    /// Read from the writer's thread: a stale answer only costs a copy.
    /// </summary>
    public bool IsFrameSealed(int index) => Volatile.Read(ref _sentOpenFrame) == index && Volatile.Read(ref _pieceCount) < SealedFrameLimit;

    /// <summary>A segment carried [<paramref name="offset"/>, offset+<paramref name="length"/>): notes whether it reached into the writer's open frame.</summary>
    public void NoteSent(int offset, int length)
    {
        if (_pieceCount == 0 || length <= 0) return;
        ref Piece tail = ref Tail;
        if (tail.Open && offset + length > _count - (tail.End - tail.Start)) Volatile.Write(ref _sentOpenFrame, tail.Index);
    }

    /// <summary>
    /// How many bytes, at most <paramref name="max"/>, a segment starting at <paramref name="offset"/> may carry: up to
    /// the end of a writer's frame, and not into one from bytes that were copied in.
    /// </summary>
    public int SegmentLimit(int offset, int max)
    {
        if (max <= 0 || offset >= _count) return Math.Max(max, 0);
        CheckRange(offset, 0);
        int piece = Locate(offset, out int pieceOffset);
        int limit = 0;
        for (int i = piece; i < _pieceCount; i++)
        {
            ref Piece p = ref At(i);
            int available = p.End - p.Start - (i == piece ? offset - pieceOffset : 0);
            if (p.Bounded) return i == piece ? Math.Min(max, available) : limit;
            limit += available;
            if (limit >= max) return max;
        }
        return limit;
    }

    /// <summary>
    /// Whether the segment [<paramref name="offset"/>, offset+<paramref name="length"/>) can leave from its own frame:
    /// it lies in one piece and starts at that piece's first byte (everything in front of it in the frame is
    /// acknowledged or header room), at least <paramref name="headerLength"/> bytes lie in front of it, and nobody but
    /// this buffer (and the writer filling the frame) holds the frame: not a TX ring, not an ARP queue, not a receiver.
    /// </summary>
    /// <param name="offset">Where the segment starts.</param>
    /// <param name="length">The payload length (at least 1).</param>
    /// <param name="headerLength">The bytes of headers to write in front of the payload.</param>
    /// <param name="payload">The frame with its window on the payload; the caller takes its own reference to transmit it.</param>
    public bool TryGetFrameInPlace(int offset, int length, int headerLength, out Frame payload)
    {
        payload = default;
        if (length <= 0) return false;
        CheckRange(offset, length);
        int piece = Locate(offset, out int pieceOffset);
        ref Piece p = ref At(piece);
        if (offset != pieceOffset || length > p.End - p.Start || p.Start < headerLength) return false;
        if (_pool.GetRefCount(p.Index) != (p.Open ? 2 : 1)) return false;
        payload = new Frame(_pool, p.Index, p.Start, length);
        return true;
    }

    /// <summary>Copies the bytes [<paramref name="offset"/>, offset+destination.Length) into <paramref name="destination"/>.</summary>
    public void CopyTo(int offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.IsEmpty) return;
        int piece = Locate(offset, out int pieceOffset);
        int skip = offset - pieceOffset;
        int copied = 0;
        for (int i = piece; copied < destination.Length; i++)
        {
            ref Piece p = ref At(i);
            int n = Math.Min(p.End - p.Start - skip, destination.Length - copied);
            _pool.GetFrameSpan(p.Index).Slice(p.Start + skip, n).CopyTo(destination[copied..]);
            copied += n;
            skip = 0;
        }
    }

    /// <summary>Drops <paramref name="count"/> acknowledged bytes from the front; frames acknowledged entirely go back.</summary>
    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _count);
        if (count == 0) return;
        _count -= count;
        int left = count;
        int popped = 0;
        while (left > 0)
        {
            ref Piece head = ref At(0);
            int n = Math.Min(left, head.End - head.Start);
            head.Start += n;
            left -= n;
            if (head.Start == head.End)
            {
                PopHead();
                popped++;
            }
        }
        _cursor -= popped;
        if (_cursor <= 0)
        {
            _cursor = 0;
            _cursorOffset = 0;
        }
        else
        {
            _cursorOffset -= count;
        }
    }

    /// <summary>Gives every frame back; the buffer is empty afterwards.</summary>
    public void Dispose()
    {
        while (_pieceCount > 0) PopHead();
        _count = 0;
        _cursor = 0;
        _cursorOffset = 0;
    }

    private ref Piece Tail => ref At(_pieceCount - 1);

    private ref Piece At(int relative) => ref _pieces[(_head + relative) & (_pieces.Length - 1)];

    private void Push(in Piece piece)
    {
        // Only the last piece can be the one a writer still fills.
        if (_pieceCount > 0) Tail.Open = false;
        if (_pieceCount == _pieces.Length)
        {
            // Rare: a buffer holding many frames. The array stays a power of two so positions wrap with a mask.
            var grown = new Piece[_pieces.Length * 2];
            for (int i = 0; i < _pieceCount; i++) grown[i] = At(i);
            _pieces = grown;
            _head = 0;
        }
        _pieces[(_head + _pieceCount) & (_pieces.Length - 1)] = piece;
        Volatile.Write(ref _pieceCount, _pieceCount + 1);
    }

    private void PopHead()
    {
        ref Piece head = ref At(0);
        _pool.Release(head.Index);
        head = default;
        _head = (_head + 1) & (_pieces.Length - 1);
        Volatile.Write(ref _pieceCount, _pieceCount - 1);
    }

    /// <summary>The piece holding byte <paramref name="offset"/> (relative to the head) and the offset it starts at.</summary>
    private int Locate(int offset, out int pieceOffset)
    {
        if (offset < _cursorOffset || _cursor >= _pieceCount)
        {
            _cursor = 0;
            _cursorOffset = 0;
        }
        while (_cursor < _pieceCount - 1)
        {
            ref Piece p = ref At(_cursor);
            int length = p.End - p.Start;
            if (offset < _cursorOffset + length) break;
            _cursorOffset += length;
            _cursor++;
        }
        pieceOffset = _cursorOffset;
        return _cursor;
    }

    private void CheckRange(int offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if ((long)offset + length > _count) throw new ArgumentOutOfRangeException(nameof(length), "The range runs past the bytes held.");
    }

    /// <summary>One frame's share of the buffer.</summary>
    private struct Piece
    {
        /// <summary>The frame's index in the pool.</summary>
        public int Index;

        /// <summary>Where the first unacknowledged byte lies in the frame.</summary>
        public int Start;

        /// <summary>Where the bytes held end in the frame.</summary>
        public int End;

        /// <summary>A writer's frame: segments do not run past its end.</summary>
        public bool Bounded;

        /// <summary>The writer still fills the frame and holds a reference of its own.</summary>
        public bool Open;
    }
}

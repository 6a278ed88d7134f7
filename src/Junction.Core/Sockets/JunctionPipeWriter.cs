using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Numerics;
using System.Threading.Tasks.Sources;
using Junction.Devices;
using Junction.Runtime;
using Junction.Stack.Tcp;

namespace Junction.Sockets;

/// <summary>
/// The output of a <see cref="JunctionConnection"/>, without a copy: <see cref="GetMemory"/> hands out room in a frame
/// of the device's pool, after header room (<see cref="TcpSendBuffer.HeaderRoom"/>) and at most one MSS of it, and
/// <see cref="FlushAsync"/> hands the written bytes to TCP in those frames. TCP keeps them there until they are
/// acknowledged and transmits a segment from the very frame the application wrote into (headers written in front of
/// the payload) whenever nothing else holds the frame.
/// </summary>
/// <remarks>
/// <para>Frames: consecutive writes fill one frame until it is full or bytes of it were transmitted (then it is
/// "sealed": later bytes go into a fresh frame so their segment can leave from it too). The writer rents frames only
/// on the stack (a device pool is not thread-safe): spare frames are refilled in the pump, and when none is left
/// <see cref="GetMemory"/> takes the stack briefly to rent a few (as a flush does). An idle writer (everything
/// acknowledged, nothing written) gives every frame back, and so does a completed one.</para>
/// <para>Positions are 64-bit byte counts: the writer owns [committed, written); TCP holds [acknowledged, handed);
/// [handed, committed) waits for the pump. A request no frame can meet (larger than one frame's payload, beyond
/// the send buffer's room, or no frame to be had) is served from a spill array whose bytes the pump copies into
/// frames as TCP takes them: the rare copy path. While spilled bytes wait, later writes spill too, to keep order.</para>
/// <para>Back-pressure: <see cref="FlushAsync"/> waits while the flushed but unacknowledged bytes reach the pause
/// threshold or spilled bytes wait, and resumes at the resume threshold.</para>
/// </remarks>
internal sealed class JunctionPipeWriter : PipeWriter, IValueTaskSource<FlushResult>
{
    /// <summary>Spare frames a busy writer keeps (refilled by the pump, or rented at once by <see cref="GetMemory"/>), at most.</summary>
    internal const int MaxSpares = 8;

    /// <summary>Frames written but not yet handed to TCP, at most; beyond it writes spill until a flush.</summary>
    private const int MaxRecords = 256;

    private static readonly Action<object?> s_cancel = static state => ((JunctionPipeWriter)state!).CancelWait();

    private readonly JunctionConnection _connection;
    private readonly FramePool _pool;
    private readonly int _capacity;
    private readonly int _pause;
    private readonly int _resume;
    private readonly FrameMemoryManager[] _managers = [new(), new()];
    private readonly int[] _spares = new int[MaxSpares];
    private UthreadValueTaskSourceCore<FlushResult> _waiter;
    private CancellationTokenRegistration _registration;
    private CancellationToken _waitToken;
    private int _spareCount;
    private Record[] _records = new Record[4];
    private int _recordHead;
    private int _recordCount;
    private bool _fillOpen;
    private int _framesStarted;
    private int _managerTurn;
    private int _managerFrame = -1;
    private long _written;
    private long _committed;
    private long _handed;
    private long _acked;
    private byte[] _spill = [];
    private int _spillStart;
    private int _spillEnd;
    private bool _lent;
    private bool _lastFromFrame;
    private int _lastLength;
    private bool _completed;
    private Exception? _completionError;
    private bool _finished;
    private bool _waiting;
    private bool _cancelPending;
    private bool _closed;

    /// <summary>Creates the writer; at most <paramref name="capacity"/> bytes are written but unacknowledged before writes spill.</summary>
    public JunctionPipeWriter(JunctionConnection connection, int capacity, int pause, int resume)
    {
        _connection = connection;
        _pool = connection.Instance.Stack.Device.Pool;
        _capacity = capacity;
        _pause = pause;
        _resume = resume;
    }

    private object Gate => _connection.Gate;

    /// <summary>The send buffer's size: written plus unacknowledged bytes beyond it go to the spill array.</summary>
    internal int Capacity => _capacity;

    /// <summary>Whether the memory last handed out by <see cref="GetMemory"/> lies in a device frame (false: the spill copy path).</summary>
    internal bool LastMemoryFromFrame => _lastFromFrame;

    /// <summary>Frames the writer holds a reference on right now: spares and frames it writes into.</summary>
    internal int HeldFrames
    {
        get
        {
            lock (Gate) return _spareCount + _recordCount;
        }
    }

    /// <summary>Bytes flushed and not yet acknowledged by the peer.</summary>
    internal long Unacknowledged
    {
        get
        {
            lock (Gate) return _committed - _acked;
        }
    }

    /// <summary>Whether the application completed the writer.</summary>
    internal bool IsCompleted
    {
        get
        {
            lock (Gate) return _completed;
        }
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes
    {
        get
        {
            lock (Gate) return _written - _committed;
        }
    }

    /// <summary>The most payload one frame gets: a frame after the header room, and no more than one segment carries.</summary>
    private int FramePayload => Math.Min(_pool.FrameSize - TcpSendBuffer.HeaderRoom, Math.Max(_connection.Tcp.Mss, 1));

    private bool SpillPending => _spillEnd > _spillStart;

    private ref Record Fill => ref RecordAt(_recordCount - 1);

    /// <summary>
    /// The contiguous bytes the next <see cref="GetMemory"/> can hand out for any hint up to it (one frame's room,
    /// capped by the send buffer's room); 0 while spilled bytes wait or the send buffer is full.
    /// </summary>
    internal int ContiguousFree()
    {
        lock (Gate)
        {
            if (SpillPending) return 0;
            long room = _capacity - (_written - _acked);
            if (room <= 0) return 0;
            int frameRoom = FillUsableLocked(1) ? Fill.Limit - Fill.End : FramePayload;
            return (int)Math.Min(room, frameRoom);
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        lock (Gate)
        {
            if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
            _lent = false;
            if (!WantsFrameLocked(needed)) return SpillMemoryLocked(needed);
            if (FillUsableLocked(needed) || StartFrameLocked()) return FrameMemoryLocked();
        }
        // No spare frame: take the stack briefly and rent a few, then try again.
        RentOnStack();
        lock (Gate)
        {
            if (WantsFrameLocked(needed) && (FillUsableLocked(needed) || StartFrameLocked())) return FrameMemoryLocked();
            return SpillMemoryLocked(needed);
        }
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (Gate)
        {
            if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
            ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _lastLength);
            if (!_lastFromFrame) _spillEnd += bytes;
            else if (bytes > 0) Fill.End += bytes;
            _written += bytes;
            _lastLength -= bytes;
            _lent = false;
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
            if (_waiting) throw new InvalidOperationException("A flush is already pending.");
            if (_cancelPending)
            {
                _cancelPending = false;
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: false));
            }
            if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<FlushResult>(cancellationToken);
            if (_closed) return new ValueTask<FlushResult>(DiscardLocked());
            _committed = _written;
        }
        _connection.RequestStackWork(JunctionConnection.StackWork.Pump);
        lock (Gate)
        {
            if (_closed) return new ValueTask<FlushResult>(DiscardLocked());
            if (!SpillPending && _committed - _acked < _pause) return default;
            _waiter.Reset();
            _waiting = true;
            _waitToken = cancellationToken;
            if (cancellationToken.CanBeCanceled) _registration = cancellationToken.UnsafeRegister(s_cancel, this);
            return new ValueTask<FlushResult>(this, _waiter.Version);
        }
    }

    public override void CancelPendingFlush()
    {
        lock (Gate)
        {
            if (!_waiting)
            {
                _cancelPending = true;
                return;
            }
            CompleteWaiterLocked(new FlushResult(isCanceled: true, isCompleted: false));
        }
    }

    public override void Complete(Exception? exception = null) => Complete(exception, sendEnd: true);

    /// <summary>
    /// Completes the writer; with <paramref name="sendEnd"/> false the connection's close decides how it ends
    /// (a FIN after the queued bytes, or a RST when received bytes were left unread).
    /// </summary>
    internal void Complete(Exception? exception, bool sendEnd)
    {
        lock (Gate)
        {
            if (_completed) return;
            _completed = true;
            _finished = !sendEnd;
            _completionError = exception;
            _lent = false;
            _fillOpen = false;
            if (!_closed) _committed = _written;
            if (_waiting) CompleteWaiterLocked(new FlushResult(isCanceled: false, isCompleted: true));
        }
        _connection.RequestStackWork(JunctionConnection.StackWork.Pump);
    }

    /// <summary>
    /// On the stack: learns how much was acknowledged, hands flushed bytes to TCP (frames as they are, spilled bytes
    /// copied into frames as TCP has room), sends the FIN (or RST after an error) once a completed writer's bytes are all queued, keeps
    /// spare frames for a busy writer or gives every frame back from an idle one, and wakes a waiting flush.
    /// </summary>
    internal void PumpOnStack(TcpConnection tcp)
    {
        lock (Gate)
        {
            if (_closed)
            {
                ReleaseFramesLocked(tcp, discard: true);
                ReturnSpillIfDoneLocked();
                return;
            }
            try
            {
                HandOffLocked(tcp);
            }
            catch (SocketException)
            {
                // Reset, timed out or shut down meanwhile: what was not queued cannot be sent any more.
                CloseLocked(tcp);
                return;
            }
            Volatile.Write(ref _acked, _handed - tcp.SendQueued);
            if (_completed && !_finished && _handed == _committed)
            {
                _finished = true;
                try
                {
                    if (_completionError is null) tcp.ShutdownSend();
                    else tcp.Abort();
                }
                catch (SocketException)
                {
                    CloseLocked(tcp);
                    return;
                }
            }
            bool idle = !_lent && _written == _handed && tcp.SendQueued == 0;
            if (_completed || idle) ReleaseFramesLocked(tcp, discard: false);
            else RefillLocked(tcp, Math.Min(MaxSpares, _framesStarted));
            _framesStarted = 0;
            ReturnSpillIfDoneLocked();
            if (_waiting && !SpillPending && _committed - _acked <= _resume) CompleteWaiterLocked(default);
        }
    }

    /// <summary>On the stack: the connection closed (TCP let go of its frames); a waiting flush completes with IsCompleted.</summary>
    internal void CloseOnStack()
    {
        lock (Gate) CloseLocked(_connection.Tcp);
    }

    ValueTaskSourceStatus IValueTaskSource<FlushResult>.GetStatus(short token) => _waiter.GetStatus(token);

    FlushResult IValueTaskSource<FlushResult>.GetResult(short token) => _waiter.GetResult(token);

    void IValueTaskSource<FlushResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    /// <summary>Whether a request of <paramref name="needed"/> bytes may be served from a frame at all.</summary>
    private bool WantsFrameLocked(int needed)
    {
        if (_closed) return false;
        if (SpillPending) return false;
        _spillStart = _spillEnd = 0; // nothing spilled waits: the array starts over (the application holds none of it now)
        return _recordCount < MaxRecords && needed <= FramePayload && needed <= _capacity - (_written - _acked);
    }

    /// <summary>Whether the frame being filled has room for <paramref name="needed"/> bytes and was not sealed by a transmission.</summary>
    private bool FillUsableLocked(int needed)
    {
        if (!_fillOpen) return false;
        ref Record fill = ref Fill;
        if (fill.Limit - fill.End < needed) return false;
        if (fill.Shared && _connection.Tcp.IsSendFrameSealed(fill.Index))
        {
            _fillOpen = false; // the pump hands its last bytes over and lets it go
            return false;
        }
        return true;
    }

    /// <summary>Starts filling a spare frame; false when none is left or too many frames wait for the pump.</summary>
    private bool StartFrameLocked()
    {
        if (_spareCount == 0) return false;
        if (_recordCount == _records.Length)
        {
            if (_records.Length >= MaxRecords) return false;
            // Rare: a burst of writes before a flush. Grows to the burst's size once, then stays.
            var grown = new Record[_records.Length * 2];
            for (int i = 0; i < _recordCount; i++) grown[i] = RecordAt(i);
            _records = grown;
            _recordHead = 0;
        }
        int index = _spares[--_spareCount];
        int start = TcpSendBuffer.HeaderRoom;
        RecordAt(_recordCount++) = new Record { Index = index, Start = start, End = start, Limit = start + FramePayload };
        _fillOpen = true;
        _framesStarted++;
        return true;
    }

    private Memory<byte> FrameMemoryLocked()
    {
        ref Record fill = ref Fill;
        if (_managerFrame != fill.Index)
        {
            // Alternate between two managers so the memory handed out just before stays valid until its Advance.
            _managerTurn ^= 1;
            _managers[_managerTurn].Reset(_pool, fill.Index);
            _managerFrame = fill.Index;
        }
        int length = (int)Math.Min(fill.Limit - fill.End, _capacity - (_written - _acked));
        _lastFromFrame = true;
        _lastLength = length;
        _lent = true;
        return _managers[_managerTurn].Window(fill.End, length);
    }

    private Memory<byte> SpillMemoryLocked(int needed)
    {
        // Bytes after these go after the spill, not into the frame being filled: that frame is done.
        _fillOpen = false;
        EnsureSpillLocked(needed);
        _lastFromFrame = false;
        _lastLength = _spill.Length - _spillEnd;
        _lent = true;
        return _spill.AsMemory(_spillEnd);
    }

    /// <summary>Takes the stack and rents a few spare frames (on the stack, as the device pool requires).</summary>
    private void RentOnStack()
    {
        using (_connection.Instance.EnterStack())
        {
            lock (Gate) RefillLocked(_connection.Tcp, Math.Min(MaxSpares, _framesStarted + 1));
        }
    }

    /// <summary>On the stack: rents spare frames up to <paramref name="target"/>, while TCP still takes bytes.</summary>
    private void RefillLocked(TcpConnection tcp, int target)
    {
        if (_closed || _completed || !tcp.CanQueueSend) return;
        while (_spareCount < target && TcpSendBuffer.TryRentFrame(_pool, out Frame frame)) _spares[_spareCount++] = frame.Index;
    }

    /// <summary>On the stack: gives flushed bytes to TCP in order, the writer's frames first, then spilled bytes.</summary>
    private void HandOffLocked(TcpConnection tcp)
    {
        long toHand = _committed - _handed;
        for (int i = 0; i < _recordCount && toHand > 0; i++)
        {
            ref Record record = ref RecordAt(i);
            bool fill = _fillOpen && i == _recordCount - 1;
            int n = (int)Math.Min(toHand, record.End - record.Start);
            if (n == 0) continue;
            tcp.AppendSendFrame(record.Index, record.Start, record.Start + n, open: fill || n < record.End - record.Start);
            record.Start += n;
            record.Shared = true;
            _handed += n;
            toHand -= n;
        }
        // Spilled bytes are copied into frames cut like the writer's (one segment each, so they still leave from
        // them), as far as TCP's send buffer has room.
        while (toHand > 0 && SpillPending)
        {
            int n = (int)Math.Min(Math.Min(toHand, _spillEnd - _spillStart), Math.Min(FramePayload, tcp.SendFree));
            if (n <= 0 || !TcpSendBuffer.TryRentFrame(_pool, out Frame frame)) break;
            _spill.AsSpan(_spillStart, n).CopyTo(frame.Span[TcpSendBuffer.HeaderRoom..]);
            try
            {
                tcp.AppendSendFrame(frame.Index, TcpSendBuffer.HeaderRoom, TcpSendBuffer.HeaderRoom + n, open: false);
            }
            finally
            {
                frame.Release(); // TCP took a reference of its own
            }
            _spillStart += n;
            _handed += n;
            toHand -= n;
        }
        // Frames the writer no longer fills and whose bytes TCP holds now: TCP keeps its own reference.
        while (_recordCount > 0 && !(_fillOpen && _recordCount == 1) && !IsLentLocked(0))
        {
            ref Record first = ref RecordAt(0);
            if (first.Start != first.End) break;
            ReleaseFirstRecord(tcp);
        }
    }

    /// <summary>
    /// On the stack: gives back the spare frames and every frame the writer no longer needs: all of them with
    /// <paramref name="discard"/> (nothing will be sent any more), else those whose bytes TCP holds. A frame the
    /// application may be writing into right now (memory handed out, no Advance yet) stays until it is done.
    /// </summary>
    private void ReleaseFramesLocked(TcpConnection tcp, bool discard)
    {
        while (_spareCount > 0) _pool.Release(_spares[--_spareCount]);
        while (_recordCount > 0 && !IsLentLocked(0))
        {
            ref Record first = ref RecordAt(0);
            if (!discard && first.Start != first.End) break;
            ReleaseFirstRecord(tcp);
        }
        if (_recordCount == 0) _fillOpen = false;
    }

    private void ReleaseFirstRecord(TcpConnection tcp)
    {
        ref Record first = ref RecordAt(0);
        if (first.Shared) tcp.CloseSendFrame(first.Index);
        if (_managerFrame == first.Index) _managerFrame = -1;
        _pool.Release(first.Index);
        first = default;
        _recordHead = (_recordHead + 1) & (_records.Length - 1);
        _recordCount--;
        if (_recordCount == 0) _fillOpen = false;
    }

    /// <summary>Whether the application may be writing into record <paramref name="relative"/> right now (memory handed out, no Advance yet).</summary>
    private bool IsLentLocked(int relative) => _lent && _lastFromFrame && relative == _recordCount - 1;

    private ref Record RecordAt(int relative) => ref _records[(_recordHead + relative) & (_records.Length - 1)];

    private void CloseLocked(TcpConnection tcp)
    {
        _closed = true;
        if (_waiting) CompleteWaiterLocked(new FlushResult(isCanceled: false, isCompleted: true));
        ReleaseFramesLocked(tcp, discard: true);
        ReturnSpillIfDoneLocked();
    }

    private void ReturnSpillIfDoneLocked()
    {
        // After completion nothing is written any more: the spill array goes once its bytes are in TCP (or dropped).
        if (!_completed || (SpillPending && !_closed) || _spill.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_spill);
        _spill = [];
        _spillStart = _spillEnd = 0;
    }

    private FlushResult DiscardLocked()
    {
        // Nobody will send these bytes: drop them so the writer can go on (as Kestrel's transport does after an abort).
        _committed = _written;
        _handed = _written;
        Volatile.Write(ref _acked, _written);
        _spillStart = _spillEnd = 0;
        return new FlushResult(isCanceled: false, isCompleted: true);
    }

    private void EnsureSpillLocked(int needed)
    {
        if (_spill.Length - _spillEnd >= needed) return;
        int held = _spillEnd - _spillStart;
        int size = (int)Math.Min(int.MaxValue / 2, BitOperations.RoundUpToPowerOf2((uint)(held + needed)));
        byte[] grown = size <= _spill.Length ? _spill : ArrayPool<byte>.Shared.Rent(Math.Max(size, 4096));
        // Compact as well: the pump takes spilled bytes from the front.
        _spill.AsSpan(_spillStart, held).CopyTo(grown);
        if (!ReferenceEquals(grown, _spill) && _spill.Length > 0) ArrayPool<byte>.Shared.Return(_spill);
        _spill = grown;
        _spillStart = 0;
        _spillEnd = held;
    }

    private void CompleteWaiterLocked(FlushResult result)
    {
        _waiting = false;
        _registration.Unregister();
        _waiter.SetResult(result);
    }

    private void CancelWait()
    {
        lock (Gate)
        {
            if (!_waiting) return;
            _waiting = false;
            _waiter.SetException(new OperationCanceledException(_waitToken));
        }
    }

    /// <summary>A frame the writer holds a reference on and filled: the part TCP does not hold yet is [Start, End).</summary>
    private struct Record
    {
        /// <summary>The frame's index in the device's pool.</summary>
        public int Index;

        /// <summary>The first byte not handed to TCP yet.</summary>
        public int Start;

        /// <summary>The end of the bytes written.</summary>
        public int End;

        /// <summary>Where the frame's payload must end (header room + one segment's payload).</summary>
        public int Limit;

        /// <summary>TCP holds some of the frame's bytes (the writer tells it when it stops filling the frame).</summary>
        public bool Shared;
    }
}

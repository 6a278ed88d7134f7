using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Numerics;
using System.Threading.Tasks.Sources;
using Junction.Runtime;
using Junction.Stack.Tcp;

namespace Junction.Sockets;

/// <summary>
/// The output of a <see cref="JunctionConnection"/>. <see cref="GetMemory"/> hands out the free part of TCP's own
/// send ring (an array this writer owns and lends to the connection), so the application's bytes are written once
/// and <see cref="FlushAsync"/> only publishes how far it wrote; TCP copies them into a device frame when it
/// transmits a segment (one copy: the frame is not the memory the application wrote).
/// </summary>
/// <remarks>
/// <para>Positions are 64-bit byte counts: the writer owns [committed, written) and the free part
/// [written, acknowledged + ring size); the stack owns [acknowledged, committed). A request the ring cannot meet in
/// one contiguous piece (at the wrap, or while the ring is full) is served from a spill array that is copied into
/// the ring as room appears: the rare copy path.</para>
/// <para>Back-pressure: <see cref="FlushAsync"/> waits while the flushed but unacknowledged bytes reach the pause
/// threshold or spilled bytes did not fit, and resumes at the resume threshold.</para>
/// </remarks>
internal sealed class JunctionPipeWriter : PipeWriter, IValueTaskSource<FlushResult>
{
    private static readonly Action<object?> s_cancel = static state => ((JunctionPipeWriter)state!).CancelWait();

    private readonly JunctionConnection _connection;
    private readonly int _pause;
    private readonly int _resume;
    private UthreadValueTaskSourceCore<FlushResult> _waiter;
    private CancellationTokenRegistration _registration;
    private CancellationToken _waitToken;
    private byte[]? _ring;
    private readonly int _ringSize;
    private readonly int _mask;
    private long _written;
    private long _committed;
    private long _tcpCommitted;
    private long _acked;
    private byte[] _spill = [];
    private int _spillCount;
    private bool _lastFromRing;
    private int _lastLength;
    private bool _completed;
    private Exception? _completionError;
    private bool _finished;
    private bool _waiting;
    private bool _cancelPending;
    private bool _closed;
    private bool _tcpReleased;

    /// <summary>Creates the writer with a ring of <paramref name="ringSize"/> bytes (a power of two).</summary>
    public JunctionPipeWriter(JunctionConnection connection, int ringSize, int pause, int resume)
    {
        _connection = connection;
        _ringSize = ringSize;
        _mask = ringSize - 1;
        _pause = pause;
        _resume = resume;
        byte[] ring = ArrayPool<byte>.Shared.Rent(ringSize);
        if (ring.Length != ringSize)
        {
            ArrayPool<byte>.Shared.Return(ring);
            ring = new byte[ringSize];
        }
        _ring = ring;
    }

    private object Gate => _connection.Gate;

    /// <summary>The ring TCP sends from.</summary>
    internal byte[] Ring => _ring!;

    /// <summary>Whether the bytes last handed out by <see cref="GetMemory"/> lie in the ring (false: the spill copy path).</summary>
    internal bool LastMemoryFromRing => _lastFromRing;

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

    public override long UnflushedBytes => _written - Volatile.Read(ref _committed) + _spillCount;

    /// <summary>The free contiguous ring bytes at the write position right now (0 while spilled bytes wait).</summary>
    internal int ContiguousFree()
    {
        if (_spillCount > 0) return 0;
        long free = Volatile.Read(ref _acked) + _ringSize - _written;
        int position = (int)(_written & _mask);
        return (int)Math.Min(free, _ringSize - position);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_completed) throw new InvalidOperationException("Writing is not allowed after the writer was completed.");
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        int contiguous = ContiguousFree();
        if (contiguous >= needed)
        {
            _lastFromRing = true;
            _lastLength = contiguous;
            return _ring.AsMemory((int)(_written & _mask), contiguous);
        }
        EnsureSpill(needed);
        _lastFromRing = false;
        _lastLength = _spill.Length - _spillCount;
        return _spill.AsMemory(_spillCount);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _lastLength);
        if (_lastFromRing) _written += bytes;
        else _spillCount += bytes;
        _lastLength -= bytes;
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
            DrainSpillLocked();
        }
        _connection.RequestStackWork(JunctionConnection.StackWork.Pump);
        lock (Gate)
        {
            if (_closed) return new ValueTask<FlushResult>(DiscardLocked());
            if (_spillCount == 0 && _committed - _acked < _pause) return default;
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
            if (!_closed) DrainSpillLocked();
            if (_waiting) CompleteWaiterLocked(new FlushResult(isCanceled: false, isCompleted: true));
        }
        _connection.RequestStackWork(JunctionConnection.StackWork.Pump);
    }

    /// <summary>
    /// On the stack: learns how much was acknowledged, moves spilled bytes into the ring while the application
    /// cannot touch them (it waits in FlushAsync or completed), hands flushed bytes to TCP, sends the FIN (or RST
    /// after an error) once a completed writer's bytes are all queued, and wakes a waiting flush.
    /// </summary>
    internal void PumpOnStack(TcpConnection tcp)
    {
        lock (Gate)
        {
            if (_closed)
            {
                ReturnRingIfDoneLocked();
                return;
            }
            Volatile.Write(ref _acked, _tcpCommitted - tcp.SendQueued);
            if ((_waiting || _completed) && _spillCount > 0) DrainSpillLocked();
            long delta = _committed - _tcpCommitted;
            if (delta > 0)
            {
                try
                {
                    tcp.CommitSend((int)delta);
                    _tcpCommitted = _committed;
                }
                catch (SocketException)
                {
                    // Reset, timed out or shut down meanwhile: what was not queued cannot be sent any more.
                    CloseLocked();
                    return;
                }
            }
            if (_completed && !_finished && _spillCount == 0)
            {
                _finished = true;
                try
                {
                    if (_completionError is null) tcp.ShutdownSend();
                    else tcp.Abort();
                }
                catch (SocketException)
                {
                    CloseLocked();
                    return;
                }
            }
            if (_waiting && _spillCount == 0 && _committed - _acked <= _resume) CompleteWaiterLocked(default);
        }
    }

    /// <summary>On the stack: the connection closed (TCP let go of the ring); a waiting flush completes with IsCompleted.</summary>
    internal void CloseOnStack()
    {
        lock (Gate)
        {
            _tcpReleased = true;
            CloseLocked();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<FlushResult>.GetStatus(short token) => _waiter.GetStatus(token);

    FlushResult IValueTaskSource<FlushResult>.GetResult(short token) => _waiter.GetResult(token);

    void IValueTaskSource<FlushResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    private void CloseLocked()
    {
        _closed = true;
        if (_waiting) CompleteWaiterLocked(new FlushResult(isCanceled: false, isCompleted: true));
        ReturnRingIfDoneLocked();
    }

    private void ReturnRingIfDoneLocked()
    {
        // TCP let go of the ring when it closed; the application let go when it completed the writer.
        if (!_completed || !_tcpReleased || _ring is null) return;
        ArrayPool<byte>.Shared.Return(_ring);
        _ring = null;
        if (_spill.Length > 0) ArrayPool<byte>.Shared.Return(_spill);
        _spill = [];
        _spillCount = 0;
    }

    private FlushResult DiscardLocked()
    {
        // Nobody will send these bytes: drop them so the writer can go on (as Kestrel's transport does after an abort).
        _committed = _written;
        Volatile.Write(ref _acked, _written);
        _spillCount = 0;
        return new FlushResult(isCanceled: false, isCompleted: true);
    }

    private void DrainSpillLocked()
    {
        if (_spillCount > 0)
        {
            long free = _acked + _ringSize - _written;
            int n = (int)Math.Min(free, _spillCount);
            if (n > 0)
            {
                int position = (int)(_written & _mask);
                int first = Math.Min(n, _ringSize - position);
                _spill.AsSpan(0, first).CopyTo(_ring.AsSpan(position));
                _spill.AsSpan(first, n - first).CopyTo(_ring);
                _written += n;
                _spill.AsSpan(n, _spillCount - n).CopyTo(_spill);
                _spillCount -= n;
            }
        }
        _committed = _written;
    }

    private void EnsureSpill(int needed)
    {
        if (_spill.Length - _spillCount >= needed) return;
        int size = (int)Math.Min(int.MaxValue / 2, BitOperations.RoundUpToPowerOf2((uint)(_spillCount + needed)));
        byte[] grown = ArrayPool<byte>.Shared.Rent(Math.Max(size, 4096));
        _spill.AsSpan(0, _spillCount).CopyTo(grown);
        if (_spill.Length > 0) ArrayPool<byte>.Shared.Return(_spill);
        _spill = grown;
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
}

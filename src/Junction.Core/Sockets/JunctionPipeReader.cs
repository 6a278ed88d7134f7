using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Junction.Runtime;
using Junction.Stack.Tcp;

namespace Junction.Sockets;

/// <summary>
/// The input of a <see cref="JunctionConnection"/>: the sequence a read returns is the TCP receive buffer itself,
/// made of the device frames the payload arrived in (no copy). <see cref="AdvanceTo(SequencePosition, SequencePosition)"/>
/// hands the consumed count to the stack, which releases those frames and opens the window.
/// </summary>
/// <remarks>
/// Only the kthread holding the stack builds a sequence, and only while the reader holds none; while the reader holds
/// one, arriving data is appended behind it without touching the frames and links it sees. Shared state is guarded
/// by the connection's gate, always taken after the stack (never the other way round).
/// </remarks>
internal sealed class JunctionPipeReader : PipeReader, IValueTaskSource<ReadResult>
{
    private static readonly Action<object?> s_cancel = static state => ((JunctionPipeReader)state!).CancelWait();

    private readonly JunctionConnection _connection;
    private UthreadValueTaskSourceCore<ReadResult> _waiter;
    private CancellationTokenRegistration _registration;
    private CancellationToken _waitToken;
    private ReadOnlySequence<byte> _buffer;
    private long _examined;
    private long _consumeRequest;
    private bool _holding;
    private bool _waiting;
    private bool _stale;
    private bool _cancelPending;
    private bool _end;
    private bool _completed;
    private Exception? _error;

    public JunctionPipeReader(JunctionConnection connection, bool resumeOnRuntime)
    {
        _connection = connection;
        if (resumeOnRuntime) _waiter.ResumeOn = connection.Instance;
    }

    private object Gate => _connection.Gate;

    /// <summary>Whether the application completed the reader.</summary>
    internal bool IsCompleted
    {
        get
        {
            lock (Gate) return _completed;
        }
    }

    /// <summary>Bytes the stack has handed to the reader and the reader has not consumed yet.</summary>
    internal long BufferedLength
    {
        get
        {
            lock (Gate) return _completed ? 0 : _buffer.Length;
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        lock (Gate)
        {
            ThrowIfCannotRead();
            if (TryGetResultLocked(out result))
            {
                _holding = true;
                return true;
            }
            if (_error is not null) throw _error;
            return false;
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            ThrowIfCannotRead();
            if (_waiting) throw new InvalidOperationException("A read is already pending.");
            if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<ReadResult>(cancellationToken);
            if (TryGetResultLocked(out ReadResult result))
            {
                _holding = true;
                return new ValueTask<ReadResult>(result);
            }
            if (_error is not null) return ValueTask.FromException<ReadResult>(_error);
            _waiter.Reset();
            _waiting = true;
            _waitToken = cancellationToken;
            if (cancellationToken.CanBeCanceled) _registration = cancellationToken.UnsafeRegister(s_cancel, this);
            return new ValueTask<ReadResult>(this, _waiter.Version);
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        bool toStack;
        lock (Gate)
        {
            if (_completed) throw new InvalidOperationException("The reader was completed.");
            if (!_holding) throw new InvalidOperationException("No read to advance: call ReadAsync first.");
            // GetOffset counts from the start of the underlying memory, not of the sequence: take differences.
            long start = _buffer.GetOffset(_buffer.Start);
            long consumedBytes = _buffer.GetOffset(consumed) - start;
            long examinedBytes = _buffer.GetOffset(examined) - start;
            if (examinedBytes < consumedBytes) throw new InvalidOperationException("The examined position must not precede the consumed one.");
            _holding = false;
            _buffer = _buffer.Slice(consumed);
            _examined = examinedBytes - consumedBytes;
            _consumeRequest += consumedBytes;
            toStack = consumedBytes > 0 || _stale;
        }
        if (toStack) _connection.RequestStackWork(JunctionConnection.StackWork.Refresh);
    }

    public override void CancelPendingRead()
    {
        lock (Gate)
        {
            if (_completed) return;
            if (!_waiting)
            {
                _cancelPending = true;
                return;
            }
            CompleteWaiterLocked(new ReadResult(_buffer, isCanceled: true, isCompleted: false));
        }
    }

    public override void Complete(Exception? exception = null)
    {
        lock (Gate)
        {
            if (_completed) return;
            _completed = true;
            _holding = false;
            _buffer = default;
            if (_waiting)
            {
                _waiting = false;
                _registration.Unregister();
                _waiter.SetException(new InvalidOperationException("The reader was completed while a read was pending."));
            }
        }
        _connection.RequestStackWork(JunctionConnection.StackWork.ReaderDone);
    }

    /// <summary>Fails the reader with <paramref name="error"/> (local abort) unless it already ended.</summary>
    internal void Fail(Exception error)
    {
        lock (Gate)
        {
            if (_completed || _error is not null) return;
            _error = error;
            if (_waiting) FailWaiterLocked(error);
        }
    }

    /// <summary>On the stack: gives consumed bytes back, then publishes what is readable and wakes a pending read.</summary>
    internal void RefreshOnStack(TcpConnection tcp)
    {
        lock (Gate)
        {
            if (_completed) return;
            if (_holding)
            {
                _stale = true;
                return;
            }
            _stale = false;
            if (_consumeRequest > 0)
            {
                tcp.ConsumeReceived((int)Math.Min(_consumeRequest, int.MaxValue));
                _consumeRequest = 0;
            }
            _buffer = tcp.PeekReceived();
            _end = tcp.FinReceived;
            if (_error is null && tcp.Error != SocketError.Success) _error = SocketErrors.ForConnection(tcp.Error);
            if (!_waiting) return;
            if (TryGetResultLocked(out ReadResult result)) CompleteWaiterLocked(result);
            else if (_error is not null) FailWaiterLocked(_error);
        }
    }

    /// <summary>The token of the pending read <see cref="ReadAsync"/> returned.</summary>
    internal short PendingToken => _waiter.Version;

    /// <summary>Runs <paramref name="item"/> (as a uthread, on the caller's context, or on the pool) once read <paramref name="token"/> completes.</summary>
    internal void OnReadCompleted(IThreadPoolWorkItem item, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(UthreadValueTaskSourceCore<ReadResult>.ExecuteWorkItem, item, token, flags);

    /// <summary>The outcome of read <paramref name="token"/> (it throws what the read failed with).</summary>
    internal ReadResult GetReadResult(short token) => _waiter.GetResult(token);

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    private void ThrowIfCannotRead()
    {
        if (_completed) throw new InvalidOperationException("Reading is not allowed after the reader was completed.");
        if (_holding) throw new InvalidOperationException("The previous read was not advanced: call AdvanceTo first.");
    }

    private bool TryGetResultLocked(out ReadResult result)
    {
        if (_cancelPending)
        {
            _cancelPending = false;
            result = new ReadResult(_buffer, isCanceled: true, isCompleted: false);
            return true;
        }
        // A reset surfaces at once, as from recv and from Pipe: the unread data died with the connection.
        if (_error is not null)
        {
            result = default;
            return false;
        }
        if (_buffer.Length > _examined || _end)
        {
            result = new ReadResult(_buffer, isCanceled: false, isCompleted: _end);
            return true;
        }
        result = default;
        return false;
    }

    private void CompleteWaiterLocked(in ReadResult result)
    {
        _waiting = false;
        _holding = true;
        _registration.Unregister();
        _waiter.SetResult(result);
    }

    private void CancelWait()
    {
        lock (Gate)
        {
            if (!_waiting) return;
            FailWaiterLocked(new OperationCanceledException(_waitToken));
        }
    }

    private void FailWaiterLocked(Exception error)
    {
        _waiting = false;
        _registration.Unregister();
        _waiter.SetException(error);
    }
}

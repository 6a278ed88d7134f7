using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Junction.Sockets;

/// <summary>
/// A <see cref="JunctionSocket"/>'s reusable pending TCP receive: the awaitable behind
/// <see cref="JunctionSocket.ReceiveAsync(Memory{byte}, System.Net.Sockets.SocketFlags, CancellationToken)"/> when no
/// data is there yet. It registers straight on the pipe reader's wait with the awaiting code's own flags, so the copy
/// into the caller's buffer runs where the caller resumes (a uthread of the instance, its context, or the thread pool)
/// and the caller's continuation follows inline: one hand-off per receive, nothing allocated.
/// </summary>
internal sealed class TcpReceiveOperation(JunctionSocket socket) : IValueTaskSource<int>, IThreadPoolWorkItem
{
    private JunctionPipeReader? _reader;
    private short _readToken;
    private Memory<byte> _buffer;
    private Action<object?>? _continuation;
    private object? _continuationState;
    private ExceptionDispatchInfo? _error;
    private int _result;
    private short _version;
    private bool _completed;
    private int _busy;

    /// <summary>Takes the operation for one receive; false while a previous one is still outstanding.</summary>
    public bool TryTake() => Interlocked.Exchange(ref _busy, 1) == 0;

    /// <summary>Starts waiting for the pending read <paramref name="readToken"/> of <paramref name="reader"/>.</summary>
    public ValueTask<int> Start(JunctionPipeReader reader, short readToken, Memory<byte> buffer)
    {
        _version++;
        _reader = reader;
        _readToken = readToken;
        _buffer = buffer;
        _continuation = null;
        _continuationState = null;
        _error = null;
        _result = 0;
        _completed = false;
        return new ValueTask<int>(this, _version);
    }

    public ValueTaskSourceStatus GetStatus(short token)
    {
        ValidateToken(token);
        if (!Volatile.Read(ref _completed)) return ValueTaskSourceStatus.Pending;
        if (_error is null) return ValueTaskSourceStatus.Succeeded;
        return _error.SourceException is OperationCanceledException ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;
    }

    public int GetResult(short token)
    {
        ValidateToken(token);
        if (!_completed) throw new InvalidOperationException("The receive has not completed yet.");
        ExceptionDispatchInfo? error = _error;
        int result = _result;
        _buffer = default;
        _error = null;
        Volatile.Write(ref _busy, 0);
        error?.Throw();
        return result;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        ValidateToken(token);
        if (_continuation is not null) throw new InvalidOperationException("The receive is already awaited.");
        _continuation = continuation;
        _continuationState = state;
        // Called on the awaiting thread: the reader captures where the caller resumes, and runs Execute there.
        _reader!.OnReadCompleted(this, _readToken, flags);
    }

    /// <summary>The read completed; runs where the caller resumes: copy out, then continue the caller inline.</summary>
    public void Execute()
    {
        try
        {
            _result = socket.CompleteReceive(_reader!.GetReadResult(_readToken), _buffer);
        }
        catch (Exception exception)
        {
            _error = ExceptionDispatchInfo.Capture(socket.MapReceiveError(exception));
        }
        Volatile.Write(ref _completed, true);
        _continuation!(_continuationState);
    }

    private void ValidateToken(short token)
    {
        if (token != _version) throw new InvalidOperationException("The receive's result was already consumed (a ValueTask awaited twice?).");
    }
}

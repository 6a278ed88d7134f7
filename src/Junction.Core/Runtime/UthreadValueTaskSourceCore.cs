using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Junction.Runtime;

/// <summary>
/// The state of a reusable <see cref="IValueTaskSource{TResult}"/> (like <see cref="ManualResetValueTaskSourceCore{TResult}"/>)
/// whose continuations never run inside the completing call and allocate nothing on the runtime's paths: code awaiting on
/// a uthread of an instance resumes as a uthread of that instance (its local run queue when the instance's own kthread
/// completes it, so a read completed by a stack poll runs right after that poll, on the same thread), with or without
/// <c>ConfigureAwait(false)</c>; code awaiting elsewhere resumes on its synchronization context or task scheduler, else
/// on the thread pool.
/// </summary>
/// <remarks>
/// <see cref="ManualResetValueTaskSourceCore{TResult}"/> queues every asynchronous continuation to the thread pool (a
/// hand-off between threads per completion) and allocates a closure to post to a captured synchronization context.
/// One awaiter per operation, as for any <see cref="ValueTask"/>; <see cref="Reset"/> starts the next operation.
/// </remarks>
internal struct UthreadValueTaskSourceCore<TResult>
{
    /// <summary>
    /// A continuation that runs its state, an <see cref="IThreadPoolWorkItem"/>: queued to the pool as is, without the
    /// wrapper the pool allocates for other callbacks.
    /// </summary>
    public static readonly Action<object?> ExecuteWorkItem = static state => ((IThreadPoolWorkItem)state!).Execute();

    private static readonly Action<object?> s_completedSentinel = static _ => throw new InvalidOperationException("Completion sentinel.");

    private Action<object?>? _continuation;
    private object? _continuationState;
    private object? _scheduler;
    private ExecutionContext? _executionContext;
    private ExceptionDispatchInfo? _error;
    private TResult _result;
    private short _version;
    private bool _completed;

    /// <summary>
    /// Where code that awaits outside any instance (on the thread pool) resumes: null keeps the thread pool; an
    /// instance pulls that code onto its kthreads as uthreads. A foreign synchronization context or task scheduler
    /// still wins.
    /// </summary>
    public RuntimeInstance? ResumeOn { readonly get; set; }

    /// <summary>The token of the current operation.</summary>
    public readonly short Version => _version;

    /// <summary>Starts a new operation (the previous one's result must have been read).</summary>
    public void Reset()
    {
        _version++;
        _completed = false;
        _result = default!;
        _error = null;
        _continuation = null;
        _continuationState = null;
        _scheduler = null;
        _executionContext = null;
    }

    public void SetResult(TResult result)
    {
        _result = result;
        SignalCompletion();
    }

    public void SetException(Exception error)
    {
        _error = ExceptionDispatchInfo.Capture(error);
        SignalCompletion();
    }

    public readonly ValueTaskSourceStatus GetStatus(short token)
    {
        ValidateToken(token);
        if (_continuation is null || !_completed) return ValueTaskSourceStatus.Pending;
        if (_error is null) return ValueTaskSourceStatus.Succeeded;
        return _error.SourceException is OperationCanceledException ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;
    }

    public readonly TResult GetResult(short token)
    {
        ValidateToken(token);
        if (!_completed) throw new InvalidOperationException("The operation has not completed yet.");
        _error?.Throw();
        return _result;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ValidateToken(token);
        if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0) _executionContext = ExecutionContext.Capture();
        _scheduler = CaptureScheduler((flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0) ?? ResumeOn;
        _continuationState = state;
        Action<object?>? previous = Interlocked.CompareExchange(ref _continuation, continuation, null);
        if (previous is null) return;
        if (!ReferenceEquals(previous, s_completedSentinel)) throw new InvalidOperationException("The operation is already awaited.");
        // It completed while the awaiter registered: resume now, still not inline.
        _continuation = continuation;
        Dispatch(continuation, state);
    }

    /// <summary>Where the awaiting code resumes: its instance, its (foreign) context or scheduler, or null for the thread pool.</summary>
    private static object? CaptureScheduler(bool useSchedulingContext)
    {
        if (useSchedulingContext)
        {
            SynchronizationContext? context = SynchronizationContext.Current;
            if (context is RuntimeSynchronizationContext runtimeContext) return runtimeContext.Instance;
            if (context is not null && context.GetType() != typeof(SynchronizationContext)) return context;
            TaskScheduler scheduler = TaskScheduler.Current;
            if (scheduler is RuntimeTaskScheduler runtimeScheduler) return runtimeScheduler.Instance;
            if (scheduler != TaskScheduler.Default) return scheduler;
        }
        // ConfigureAwait(false) on a uthread: any thread would do, and the instance's own kthread is the cheapest.
        return RuntimeInstance.Current;
    }

    private void SignalCompletion()
    {
        if (_completed) throw new InvalidOperationException("The operation has already completed.");
        _completed = true;
        Action<object?>? continuation = Volatile.Read(ref _continuation) ?? Interlocked.CompareExchange(ref _continuation, s_completedSentinel, null);
        if (continuation is not null) Dispatch(continuation, _continuationState);
    }

    private readonly void Dispatch(Action<object?> continuation, object? state)
    {
        if (_executionContext is not null)
        {
            // Only direct OnCompleted users ask for this (await flows the context itself): the rare, allocating path.
            state = new ContextBoundContinuation(_executionContext, continuation, state);
            continuation = ContextBoundContinuation.Invoke;
        }
        switch (_scheduler)
        {
            case RuntimeInstance instance when instance.TryEnqueue(continuation, state):
                return;
            case SynchronizationContext context:
                context.Post(static s => ((ContextBoundContinuation)s!).Run(), new ContextBoundContinuation(null, continuation, state));
                return;
            case TaskScheduler scheduler:
                _ = Task.Factory.StartNew(continuation, state, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);
                return;
            default:
                // Work items, and the async state machine's own continuation, are queued as they are: no allocation.
                // Local when a pool thread completes it (a flush that polled the stack inline): it runs next, there.
                if (ReferenceEquals(continuation, ExecuteWorkItem)) ThreadPool.UnsafeQueueUserWorkItem((IThreadPoolWorkItem)state!, preferLocal: true);
                else ThreadPool.UnsafeQueueUserWorkItem(continuation, state, preferLocal: true);
                return;
        }
    }

    private readonly void ValidateToken(short token)
    {
        if (token != _version) throw new InvalidOperationException("The operation's result was already consumed (a ValueTask awaited twice?).");
    }

    private sealed class ContextBoundContinuation(ExecutionContext? context, Action<object?> continuation, object? state)
    {
        public static readonly Action<object?> Invoke = static s => ((ContextBoundContinuation)s!).Run();

        private static readonly ContextCallback s_run = static s =>
        {
            var self = (ContextBoundContinuation)s!;
            self._continuation(self._state);
        };

        private readonly Action<object?> _continuation = continuation;
        private readonly object? _state = state;

        public void Run()
        {
            if (context is null) _continuation(_state);
            else ExecutionContext.Run(context, s_run, this);
        }
    }
}

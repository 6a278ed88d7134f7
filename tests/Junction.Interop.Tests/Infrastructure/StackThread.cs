using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Junction.Stack;

namespace Junction.Interop.Tests.Infrastructure;

/// <summary>
/// A dedicated thread that drives stack instances in real time (test infrastructure; the real runtime comes later).
/// It polls its stacks and pollers with <see cref="TimeProvider.System"/>'s time, busy-polls while frames flow,
/// and backs off to spinning, yielding and then 1 ms waits when idle. Stacks are single-threaded, so application
/// code that touches them runs here too, through <see cref="Invoke{T}(Func{T})"/> and <see cref="Post"/>.
/// </summary>
internal sealed class StackThread : IDisposable
{
    private const int SpinIterations = 200;
    private const int YieldIterations = 400;

    private readonly Thread _thread;
    private readonly TimeProvider _clock;
    private readonly Action? _onStart;
    private readonly ConcurrentQueue<WorkItem> _work = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly List<NetStack> _stacks = [];
    private readonly List<Action<Instant>> _pollers = [];
    private volatile bool _stopping;
    private volatile ExceptionDispatchInfo? _fault;
    private bool _faultObserved;

    /// <summary>Starts the thread.</summary>
    /// <param name="name">The thread's name, for debuggers and dumps.</param>
    /// <param name="clock">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="onStart">Runs first on the thread, e.g. to enter a lab namespace.</param>
    public StackThread(string name, TimeProvider? clock = null, Action? onStart = null)
    {
        _clock = clock ?? TimeProvider.System;
        _onStart = onStart;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>The current time on the thread's clock.</summary>
    public Instant Now => Instant.Now(_clock);

    /// <summary>Whether the caller is the stack thread itself.</summary>
    public bool IsCurrentThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>How many loop iterations found nothing to do (to tell busy from idle in diagnostics).</summary>
    public long IdleIterations { get; private set; }

    /// <summary>Starts polling <paramref name="stack"/> on every iteration.</summary>
    public void Add(NetStack stack) => Invoke(() => _stacks.Add(stack));

    /// <summary>Stops polling <paramref name="stack"/>.</summary>
    public void Remove(NetStack stack) => Invoke(() => _stacks.Remove(stack));

    /// <summary>Calls <paramref name="poll"/> with the current time on every iteration, after the stacks.</summary>
    public void AddPoller(Action<Instant> poll) => Invoke(() => _pollers.Add(poll));

    /// <summary>Queues <paramref name="action"/> to run on the thread; an exception it throws stops the thread and surfaces on the next call.</summary>
    public void Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Enqueue(new WorkItem(action, null));
    }

    /// <summary>Runs <paramref name="function"/> on the thread and returns its result (directly when called from the thread).</summary>
    public T Invoke<T>(Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (IsCurrentThread) return function();
        T result = default!;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new WorkItem(() => result = function(), done));
        try
        {
            done.Task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            if (_fault is { } fault)
            {
                _faultObserved = true;
                fault.Throw();
            }
            throw new ObjectDisposedException(nameof(StackThread), "The stack thread stopped before running the call.");
        }
        return result;
    }

    /// <summary>Runs <paramref name="action"/> on the thread and waits for it.</summary>
    public void Invoke(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Invoke(() =>
        {
            action();
            return true;
        });
    }

    /// <summary>
    /// Evaluates <paramref name="condition"/> on the thread about every millisecond until it holds.
    /// </summary>
    /// <returns>False when it still does not hold after <paramref name="timeout"/>.</returns>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!Invoke(condition))
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(1);
        }
        return true;
    }

    /// <summary>Stops the thread and waits for it; rethrows a failure of the thread that no call has reported yet.</summary>
    public void Dispose()
    {
        if (!_stopping)
        {
            _stopping = true;
            _wake.Set();
            if (!IsCurrentThread) _thread.Join();
        }
        if (_fault is { } fault && !_faultObserved)
        {
            _faultObserved = true;
            throw new InvalidOperationException("The stack thread failed.", fault.SourceException);
        }
    }

    private void Enqueue(WorkItem item)
    {
        if (_fault is { } fault)
        {
            _faultObserved = true;
            fault.Throw();
        }
        ObjectDisposedException.ThrowIf(_stopping, this);
        _work.Enqueue(item);
        _wake.Set();
        // The thread may have stopped between the check and the enqueue; never leave a caller waiting.
        if (_stopping || _fault is not null) CancelPending();
    }

    private void Run()
    {
        try
        {
            _onStart?.Invoke();
            int idle = 0;
            while (!_stopping)
            {
                bool worked = RunPosted();
                Instant now = Now;
                long before = FrameCount();
                foreach (NetStack stack in _stacks) stack.Poll(now);
                foreach (Action<Instant> poll in _pollers) poll(now);
                if (worked || FrameCount() != before)
                {
                    idle = 0;
                    continue;
                }
                IdleIterations++;
                idle++;
                if (idle < SpinIterations)
                {
                    Thread.SpinWait(20);
                }
                else if (idle < YieldIterations)
                {
                    Thread.Yield();
                }
                else
                {
                    _wake.Reset();
                    if (_work.IsEmpty) _wake.Wait(1);
                }
            }
        }
        catch (Exception e)
        {
            _fault = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _stopping = true;
            CancelPending();
        }
    }

    private bool RunPosted()
    {
        bool any = false;
        while (_work.TryDequeue(out WorkItem? item))
        {
            any = true;
            if (item.Done is null)
            {
                item.Action();
                continue;
            }
            try
            {
                item.Action();
                item.Done.TrySetResult();
            }
            catch (Exception e)
            {
                item.Done.TrySetException(e);
            }
        }
        return any;
    }

    private void CancelPending()
    {
        while (_work.TryDequeue(out WorkItem? item)) item.Done?.TrySetCanceled();
    }

    private long FrameCount()
    {
        long total = 0;
        foreach (NetStack stack in _stacks) total += stack.Statistics.FramesReceived + stack.Statistics.FramesSent;
        return total;
    }

    private sealed record WorkItem(Action Action, TaskCompletionSource? Done);
}

using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Junction.Stack;

namespace Junction.Cli.Hosting;

/// <summary>
/// A dedicated thread that busy-polls stack instances and application pollers without ever sleeping, as a
/// latency-first Junction deployment would run a queue's core. Set-up and inspection run on it through <see cref="Invoke"/>.
/// With <c>yieldWhenIdle</c> an iteration that moved no frame ends in sched_yield, so that other runnable threads on
/// an oversubscribed machine get the core (it still never sleeps).
/// </summary>
internal sealed class PollThread : IDisposable
{
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _work = new();
    private readonly List<NetStack> _stacks = [];
    private readonly List<Action<Instant>> _pollers = [];
    private volatile bool _stopping;
    private volatile ExceptionDispatchInfo? _fault;
    private readonly bool _yieldWhenIdle;

    private readonly int? _cpu;

    public PollThread(string name, bool yieldWhenIdle, int? cpu)
    {
        _yieldWhenIdle = yieldWhenIdle;
        _cpu = cpu;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public static Instant Now => Instant.Now(TimeProvider.System);

    /// <summary>Loop iterations so far (to tell how much of the core the poller had).</summary>
    public long Iterations { get; private set; }

    /// <summary>Iterations that moved no frame: a poll thread that is mostly idle is waiting for its peer, not limiting it.</summary>
    public long IdleIterations { get; private set; }

    public void Add(NetStack stack) => Invoke(() => _stacks.Add(stack));

    public void AddPoller(Action<Instant> poller) => Invoke(() => _pollers.Add(poller));

    /// <summary>Runs <paramref name="function"/> on the thread and waits for it; rethrows what it threw.</summary>
    public T Invoke<T>(Func<T> function)
    {
        _fault?.Throw();
        ObjectDisposedException.ThrowIf(_stopping, this);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        _work.Enqueue(() =>
        {
            try
            {
                result = function();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            done.Set();
        });
        while (!done.Wait(100))
        {
            _fault?.Throw();
            if (!_thread.IsAlive) throw new InvalidOperationException($"Poll thread {_thread.Name} stopped.");
        }
        failure?.Throw();
        return result;
    }

    public void Invoke(Action action) => Invoke(() =>
    {
        action();
        return true;
    });

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _fault?.Throw();
    }

    private void Run()
    {
        try
        {
            Affinity.Pin(_cpu);
            long iterations = 0;
            while (!_stopping)
            {
                while (_work.TryDequeue(out Action? action)) action();
                Instant now = Now;
                long before = FrameCount();
                foreach (NetStack stack in _stacks) stack.Poll(now);
                foreach (Action<Instant> poller in _pollers) poller(now);
                Iterations = ++iterations;
                if (FrameCount() != before) continue;
                IdleIterations++;
                if (_yieldWhenIdle) Thread.Yield();
            }
        }
        catch (Exception e)
        {
            _fault = ExceptionDispatchInfo.Capture(e);
        }
    }

    private long FrameCount()
    {
        long total = 0;
        foreach (NetStack stack in _stacks) total += stack.Statistics.FramesReceived + stack.Statistics.FramesSent;
        return total;
    }
}

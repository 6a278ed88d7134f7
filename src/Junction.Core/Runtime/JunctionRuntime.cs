using Junction.Devices;
using Junction.Stack;

namespace Junction.Runtime;

/// <summary>
/// The scheduler of a process's network stacks, after Caladan but in-process and with no dedicated spinning core:
/// kthreads poll busy instances and run their uthreads; an idle instance is parked on its device's descriptor in
/// one epoll set and costs nothing; a core allocator, run by the kthreads themselves (or by the parked poller's
/// timeout while an instance is active), lends more kthreads to instances whose queues back up and takes them
/// back when they run dry.
/// </summary>
/// <remarks>
/// <para>
/// Kthreads are dedicated threads by default (<see cref="KthreadMode"/>). Measured on the 2-core development VM
/// (`dotnet run -c Release --project bench/Junction.Bench -- runtime`, machine shared with other builds, load 9-12):
/// wake-up of a parked instance (UDP packet sent to handler uthread) p50 28-34 us dedicated, 15-28 us on the thread
/// pool (p99 varies with the load, 40 us to 2 ms); UDP request/response with 5 us of work per request 100-160 k/s in
/// both modes; nothing allocated per wake-up or request in either mode. A parked dedicated kthread wakes in epoll and
/// runs the instance itself; a pooled one needs the runtime's epoll thread to queue a work item that a pool thread
/// then wakes for, and it shares the pool with the application's own blocking work. Idle cost is zero in both modes
/// (every thread blocks).
/// </para>
/// <para>
/// Spinning: a kthread whose instance has nothing to do polls it again for <see cref="JunctionRuntimeOptions.SpinBeforePark"/>
/// and yields its core between the polls: the thread it just woke (the peer instance's kthread, the pool thread that
/// runs the application's continuation) is often queued on the same core, and without the yield waited out the whole
/// spin (wake-up p50 was 72-81 us; the kernel's own eventfd-to-epoll wake-up is about 9 us on this VM).
/// </para>
/// <para>
/// Parking: an instance whose kthread has found nothing to do for <see cref="JunctionRuntimeOptions.SpinBeforePark"/>
/// arms its device descriptor and a timerfd at its next deadline (one-shot epoll registrations) and lets the
/// kthread go. A free kthread waits in epoll (one at a time; the others block on a semaphore) with no timeout
/// unless some instance is active.
/// </para>
/// </remarks>
public sealed class JunctionRuntime : IDisposable, IAsyncDisposable
{
    private const ulong WakeToken = 0;

    private readonly JunctionRuntimeOptions _options;
    private readonly long _frequency;
    private readonly Epoll? _epoll;
    private readonly EventFd? _wake;
    private readonly object _lock = new();
    private readonly Queue<RuntimeInstance> _tickets = new();
    private readonly SemaphoreSlim _idle = new(0);
    private readonly List<Kthread> _kthreads = [];
    private readonly Stack<Kthread> _freePoolKthreads = new();
    private readonly Thread? _pollerThread;
    private RuntimeInstance?[] _instances = new RuntimeInstance?[16];
    private int _instanceCount;
    private int _idleWaiters;
    private bool _pollerParked;
    private bool _pollerSignaled;
    private int _poolWorkers;
    private int _activeInstances;
    private int _blockedKthreads;
    private long _lastSupervision;
    private int _supervising;
    private volatile bool _disposing;

    /// <summary>Creates a runtime; it starts no thread until an instance needs one.</summary>
    public JunctionRuntime(JunctionRuntimeOptions? options = null)
    {
        _options = options ?? new JunctionRuntimeOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxKthreads, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.UthreadBudget, 1, nameof(options));
        Clock = _options.Clock;
        _frequency = Clock.TimestampFrequency;
        SpinTicks = ToTicks(_options.SpinBeforePark);
        IntervalTicks = Math.Max(1, ToTicks(_options.AllocatorInterval));
        BlockedTicks = Math.Max(1, ToTicks(_options.BlockedThreshold));
        QuantumTicks = Math.Max(1, ToTicks(_options.Quantum));
        if (IsManual) return;
        _epoll = new Epoll();
        _wake = new EventFd();
        _epoll.Add(_wake.FileDescriptor, WakeToken, persistent: true);
        if (_options.Mode == KthreadMode.ThreadPool)
        {
            _pollerThread = new Thread(RunPollerThread) { IsBackground = true, Name = "junction epoll" };
            _pollerThread.UnsafeStart();
        }
    }

    /// <summary>The clock of every instance.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The current time on <see cref="Clock"/>.</summary>
    public Instant Now => ToInstant(Clock.GetTimestamp());

    /// <summary>How kthreads are made.</summary>
    public KthreadMode Mode => _options.Mode;

    /// <summary>How many kthreads may run at once.</summary>
    public int MaxKthreads => _options.MaxKthreads;

    /// <summary>How many kthread threads exist (dedicated mode), busy or parked.</summary>
    public int ThreadCount
    {
        get
        {
            lock (_lock) return _kthreads.Count;
        }
    }

    /// <summary>How many instances are not parked.</summary>
    public int ActiveInstanceCount => Volatile.Read(ref _activeInstances);

    internal bool IsManual => _options.MaxKthreads == 0;

    internal bool IsDisposing => _disposing;

    internal long SpinTicks { get; }

    internal long IntervalTicks { get; }

    internal long BlockedTicks { get; }

    internal long QuantumTicks { get; }

    internal int UthreadBudget => _options.UthreadBudget;

    internal Action<Exception>? UnhandledException => _options.UnhandledException;

    /// <summary>
    /// Creates a network stack on <paramref name="device"/> and an instance that runs it. The device must be an
    /// <see cref="IWaitableDevice"/> (unless the runtime has no kthreads and the caller drives it).
    /// </summary>
    public RuntimeInstance CreateInstance(INetDevice device, NetStackOptions stackOptions, RuntimeInstanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(stackOptions);
        ObjectDisposedException.ThrowIf(_disposing, this);
        var stack = new NetStack(device, stackOptions, Now);
        RuntimeInstance instance;
        lock (_lock)
        {
            int index = _instanceCount;
            try
            {
                instance = new RuntimeInstance(this, stack, options ?? new RuntimeInstanceOptions(), index);
            }
            catch
            {
                stack.Dispose();
                throw;
            }
            if (index == _instances.Length) Array.Resize(ref _instances, index * 2);
            Volatile.Write(ref _instances[index], instance);
            _instanceCount++;
        }
        Interlocked.Increment(ref _activeInstances);
        if (!IsManual)
        {
            // Registered one-shot; both report nothing until the instance parks and arms them.
            _epoll!.Add(instance.Device!.WaitFileDescriptor, Token(instance, 0));
            _epoll.Add(instance.WakeTimer!.FileDescriptor, Token(instance, 1));
            // It starts scheduled: a first round sets up its timers and parks it.
            Grant(instance, wake: true);
        }
        return instance;
    }

    /// <summary>Stops every kthread and disposes every instance.</summary>
    public void Dispose()
    {
        if (_disposing) return;
        _disposing = true;
        lock (_lock)
        {
            if (_idleWaiters > 0) _idle.Release(_idleWaiters);
            _idleWaiters = 0;
        }
        _wake?.Signal();
        Kthread[] threads;
        lock (_lock) threads = [.. _kthreads];
        foreach (Kthread kthread in threads)
        {
            if (kthread.Thread != Thread.CurrentThread) kthread.Thread?.Join(TimeSpan.FromSeconds(5));
        }
        if (_pollerThread is not null && _pollerThread != Thread.CurrentThread) _pollerThread.Join(TimeSpan.FromSeconds(5));
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _poolWorkers) > 0 && !spinner.NextSpinWillYield) spinner.SpinOnce();
        for (int i = 0; i < _instanceCount; i++) _instances[i]?.Dispose();
        _epoll?.Dispose();
        _wake?.Dispose();
        _idle.Dispose();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    internal long Timestamp() => Clock.GetTimestamp();

    internal Instant ToInstant(long timestamp) =>
        _frequency == 1_000_000 ? new Instant(timestamp) : Instant.FromTimestamp(timestamp, _frequency);

    internal void InstanceWentActive() => Interlocked.Increment(ref _activeInstances);

    internal void InstanceWentIdle() => Interlocked.Decrement(ref _activeInstances);

    internal void KthreadBlocked() => Interlocked.Increment(ref _blockedKthreads);

    internal void KthreadUnblocked() => Interlocked.Decrement(ref _blockedKthreads);

    internal void Remove(RuntimeInstance instance)
    {
        if (!IsManual && !_disposing)
        {
            _epoll!.Remove(instance.Device!.WaitFileDescriptor);
            _epoll.Remove(instance.WakeTimer!.FileDescriptor);
        }
        Volatile.Write(ref _instances[instance.Index], null);
    }

    /// <summary>Arms a parking instance's device and timer registrations (called under the instance's gate).</summary>
    internal void ArmWakeups(RuntimeInstance instance, TimeSpan delay)
    {
        instance.WakeTimer!.Arm(delay);
        _epoll!.Rearm(instance.WakeTimer.FileDescriptor, Token(instance, 1));
        _epoll.Rearm(instance.Device!.WaitFileDescriptor, Token(instance, 0));
    }

    /// <summary>Asks for one kthread for <paramref name="instance"/>: wakes a parked one, starts one, or leaves the request queued.</summary>
    internal void Grant(RuntimeInstance instance, bool wake)
    {
        if (IsManual) return;
        instance.TicketQueued();
        lock (_lock)
        {
            _tickets.Enqueue(instance);
            if (wake) WakeOneLocked();
        }
    }

    /// <summary>Whether a request waits for an instance that has no kthread at all (kthreads then rotate).</summary>
    internal bool AnInstanceStarves()
    {
        lock (_lock)
        {
            foreach (RuntimeInstance waiting in _tickets)
            {
                if (waiting.State == RuntimeInstance.Scheduled || waiting.HasNoKthread) return true;
            }
            return false;
        }
    }

    /// <summary>Runs the core allocator if an interval has passed and no other kthread is running it.</summary>
    internal void MaybeSupervise(long now)
    {
        if (now - Volatile.Read(ref _lastSupervision) < IntervalTicks) return;
        if (Interlocked.Exchange(ref _supervising, 1) != 0) return;
        try
        {
            Volatile.Write(ref _lastSupervision, now);
            Supervise(now);
        }
        finally
        {
            Volatile.Write(ref _supervising, 0);
        }
    }

    private void Supervise(long now)
    {
        int count = Volatile.Read(ref _instanceCount);
        RuntimeInstance?[] instances = Volatile.Read(ref _instances);
        for (int i = 0; i < count && i < instances.Length; i++)
        {
            RuntimeInstance? instance = Volatile.Read(ref instances[i]);
            if (instance is not null && instance.State == RuntimeInstance.Running) instance.Supervise(now);
        }
        // With every kthread busy nobody waits in epoll: look for woken instances without blocking.
        if (!Volatile.Read(ref _pollerParked) && _options.Mode == KthreadMode.DedicatedThreads)
        {
            Span<ulong> tokens = stackalloc ulong[64];
            Dispatch(tokens[.._epoll!.Wait(tokens, 0)], serveFirst: false);
        }
    }

    private void WakeOneLocked()
    {
        if (_disposing) return;
        if (_options.Mode == KthreadMode.ThreadPool)
        {
            if (_poolWorkers >= _options.MaxKthreads + Volatile.Read(ref _blockedKthreads)) return;
            _poolWorkers++;
            if (!_freePoolKthreads.TryPop(out Kthread? kthread))
            {
                kthread = new Kthread(this, _kthreads.Count);
                _kthreads.Add(kthread);
            }
            ThreadPool.UnsafeQueueUserWorkItem(kthread, preferLocal: false);
            return;
        }
        if (_idleWaiters > 0)
        {
            _idleWaiters--;
            _idle.Release();
        }
        else if (_pollerParked)
        {
            if (!_pollerSignaled)
            {
                _pollerSignaled = true;
                _wake!.Signal();
            }
        }
        else if (_kthreads.Count < _options.MaxKthreads + Volatile.Read(ref _blockedKthreads))
        {
            StartDedicatedKthreadLocked();
        }
    }

    // Its own method: the closure's captured state would otherwise be allocated on every WakeOneLocked call.
    private void StartDedicatedKthreadLocked()
    {
        var kthread = new Kthread(this, _kthreads.Count);
        kthread.Thread = new Thread(() => RunDedicatedKthread(kthread)) { IsBackground = true, Name = $"junction kthread {kthread.Id}" };
        _kthreads.Add(kthread);
        kthread.Thread.UnsafeStart();
    }

    private bool TryTakeTicket(out RuntimeInstance? instance)
    {
        lock (_lock)
        {
            if (!_tickets.TryDequeue(out instance)) return false;
            if (_tickets.Count > 0) WakeOneLocked();
            return true;
        }
    }

    private void RunDedicatedKthread(Kthread kthread)
    {
        Span<ulong> tokens = stackalloc ulong[64];
        while (!_disposing)
        {
            if (TryTakeTicket(out RuntimeInstance? instance))
            {
                instance!.Serve(kthread);
                continue;
            }
            Park(tokens);
        }
    }

    /// <summary>A free dedicated kthread waits: in epoll if no other does, otherwise on the semaphore.</summary>
    private void Park(Span<ulong> tokens)
    {
        bool poller;
        lock (_lock)
        {
            if (_tickets.Count > 0 || _disposing) return;
            poller = !_pollerParked;
            if (poller)
            {
                _pollerParked = true;
                _pollerSignaled = false;
            }
            else
            {
                _idleWaiters++;
            }
        }
        if (!poller)
        {
            _idle.Wait();
            return;
        }
        int woken = PollOnce(tokens, serveFirst: true);
        lock (_lock)
        {
            _pollerParked = false;
            _pollerSignaled = false;
            // Someone must keep watching epoll while this kthread serves what it woke for.
            if (woken > 0 && _idleWaiters > 0)
            {
                _idleWaiters--;
                _idle.Release();
            }
        }
    }

    private int PollOnce(Span<ulong> tokens, bool serveFirst)
    {
        int timeout = Volatile.Read(ref _activeInstances) > 0 ? (int)Math.Clamp(_options.BlockedThreshold.TotalMilliseconds / 2, 1, 1000) : -1;
        int count = _epoll!.Wait(tokens, timeout);
        if (_disposing) return 0;
        int woken = Dispatch(tokens[..count], serveFirst);
        if (count == 0) MaybeSupervise(Timestamp());
        return woken;
    }

    private int Dispatch(ReadOnlySpan<ulong> tokens, bool serveFirst)
    {
        int woken = 0;
        RuntimeInstance?[] instances = Volatile.Read(ref _instances);
        foreach (ulong token in tokens)
        {
            if (token == WakeToken)
            {
                _wake!.Drain();
                continue;
            }
            int index = (int)(token >> 1) - 1;
            RuntimeInstance? instance = index < instances.Length ? Volatile.Read(ref instances[index]) : null;
            if (instance is null) continue;
            if (instance.Activate(wake: !serveFirst || woken > 0)) woken++;
        }
        return woken;
    }

    private void RunPollerThread()
    {
        Span<ulong> tokens = stackalloc ulong[64];
        while (!_disposing) PollOnce(tokens, serveFirst: false);
    }

    internal void RunPooledKthread(Kthread kthread)
    {
        while (true)
        {
            RuntimeInstance? instance;
            lock (_lock)
            {
                if (_disposing || !_tickets.TryDequeue(out instance))
                {
                    _poolWorkers--;
                    _freePoolKthreads.Push(kthread);
                    return;
                }
                if (_tickets.Count > 0) WakeOneLocked();
            }
            instance.Serve(kthread);
        }
    }

    private static ulong Token(RuntimeInstance instance, int kind) => ((ulong)(instance.Index + 1) << 1) | (uint)kind;

    private long ToTicks(TimeSpan duration) => (long)(duration.TotalSeconds * _frequency);

    internal long TicksToNanoseconds(long ticks) => (long)(ticks * (1e9 / _frequency));
}

using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Junction.Devices;
using Junction.Stack;

namespace Junction.Runtime;

/// <summary>
/// One network stack under the runtime: its run queues of uthreads, its timers, and the kthreads the core
/// allocator lends it. Code running on its kthreads (continuations of <c>await</c>, <see cref="Scheduler"/>
/// callbacks, posted work) resumes on the kthread that made it ready, usually the one that received the packet.
/// </summary>
/// <remarks>
/// <para>
/// The stack is single-threaded: a kthread polls it only while it holds the stack's ownership flag
/// (<see cref="EnterStack"/>); the instance's other kthreads meanwhile run uthreads, stealing from each other's
/// queues. Uthreads that call the stack (a connection's Send) take the flag with <see cref="EnterStack"/>; code
/// outside the runtime uses <see cref="InvokeAsync{T}(Func{T})"/> or <see cref="Post(Action)"/>.
/// </para>
/// <para>
/// Observer callbacks of the stack (<c>ITcpConnectionObserver</c>) run inside its poll, holding the flag: they must
/// not block; they make uthreads ready instead.
/// </para>
/// </remarks>
public sealed class RuntimeInstance : IDisposable, IAsyncDisposable
{
    internal const int Idle = 0;
    internal const int Scheduled = 1;
    internal const int Running = 2;
    internal const int Disposed = 3;

    [ThreadStatic]
    private static RuntimeSlot? t_slot;

    private readonly JunctionRuntime _runtime;
    private readonly IWaitableDevice? _device;
    private readonly RuntimeSlot[] _slots;
    private readonly WorkQueue _injection = new();
    private readonly TimerWheel _timers;
    private readonly RuntimeSynchronizationContext _context;
    private readonly object _gate = new();
    private int _state;
    private int _attached;
    private int _blocked;
    private int _pendingGrants;
    private long _lastPoll;
    private long _enqueuedAtLastCheck;
    private int _stackOwner;
    private int _stackDepth;
    private long _stackLeases;

    internal RuntimeInstance(JunctionRuntime runtime, NetStack stack, RuntimeInstanceOptions options, int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinKthreads, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxKthreads, options.MinKthreads, nameof(options));
        _runtime = runtime;
        Stack = stack;
        Index = index;
        MinKthreads = options.MinKthreads;
        MaxKthreads = options.MaxKthreads;
        // Room for the allowed kthreads and as many again stuck in blocking code.
        _slots = new RuntimeSlot[Math.Max(2, 2 * options.MaxKthreads)];
        for (int i = 0; i < _slots.Length; i++) _slots[i] = new RuntimeSlot(this, i);
        _timers = new TimerWheel(runtime.Now);
        _context = new RuntimeSynchronizationContext(this);
        TaskScheduler = new RuntimeTaskScheduler(this);
        Scheduler = new RuntimePipeScheduler(this);
        if (!runtime.IsManual)
        {
            if (stack.Device is not IWaitableDevice waitable || waitable.WaitFileDescriptor < 0)
                throw new ArgumentException("The runtime parks on the device's file descriptor: the device must be an IWaitableDevice (a port of VirtualSwitch.CreateRealTime, an AF_XDP queue).", nameof(stack));
            _device = waitable;
            WakeTimer = new TimerFd();
        }
        _state = Scheduled;
        Diagnostics.JunctionMetrics.Register(this);
    }

    /// <summary>The instance a kthread of the calling thread is serving, or null off the runtime.</summary>
    public static RuntimeInstance? Current => t_slot?.Instance;

    /// <summary>The runtime the instance belongs to.</summary>
    public JunctionRuntime Runtime => _runtime;

    /// <summary>The network stack. Touch it only on a kthread of this instance inside <see cref="EnterStack"/>, or through <see cref="InvokeAsync{T}(Func{T})"/>.</summary>
    public NetStack Stack { get; }

    /// <summary>A <see cref="PipeScheduler"/> whose callbacks run as uthreads of this instance (for <c>PipeOptions</c>).</summary>
    public PipeScheduler Scheduler { get; }

    /// <summary>A synchronization context that posts to this instance; its kthreads run with it installed.</summary>
    public SynchronizationContext SynchronizationContext => _context;

    /// <summary>A task scheduler that runs tasks as uthreads of this instance.</summary>
    public TaskScheduler TaskScheduler { get; }

    /// <summary>How many kthreads the instance gets at once when it wakes up.</summary>
    public int MinKthreads { get; }

    /// <summary>How many kthreads the allocator may give it (not counting ones stuck in blocking code).</summary>
    public int MaxKthreads { get; }

    /// <summary>How many kthreads serve it right now (0 while it is parked).</summary>
    public int KthreadCount => Volatile.Read(ref _attached);

    /// <summary>Whether the instance is parked: no kthread, nothing queued, waiting for its device, a timer or a post.</summary>
    public bool IsIdle => Volatile.Read(ref _state) == Idle;

    /// <summary>What the scheduler did for this instance.</summary>
    public RuntimeInstanceStatistics Statistics { get; } = new();

    internal int Index { get; }

    internal int State => Volatile.Read(ref _state);

    internal IWaitableDevice? Device => _device;

    /// <summary>Tests only: runs on the parking kthread after it chose its wake-up deadline and before it goes idle.</summary>
    internal Action? BeforeParking { get; set; }

    internal TimerFd? WakeTimer { get; }

    /// <summary>The instance time of the last round that polled the stack.</summary>
    internal Instant LastRoundTime { get; private set; }

    /// <summary>Runs <paramref name="callback"/>(<paramref name="state"/>) as a uthread of this instance; from any thread.</summary>
    public void Post(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        Enqueue(callback, state);
    }

    /// <summary>Runs <paramref name="action"/> as a uthread of this instance; from any thread.</summary>
    public void Post(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Enqueue(action, null);
    }

    /// <summary>Runs <paramref name="function"/> on a kthread of this instance, holding the stack, and completes with its result.</summary>
    public Task<T> InvokeAsync<T>(Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        ObjectDisposedException.ThrowIf(State == Disposed, this);
        var invocation = new Invocation<T>(this, function);
        Enqueue(invocation, null);
        return invocation.Task;
    }

    /// <summary>Runs <paramref name="action"/> on a kthread of this instance, holding the stack.</summary>
    public Task InvokeAsync(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return InvokeAsync(() =>
        {
            action();
            return true;
        });
    }

    /// <summary>
    /// Takes the stack's ownership flag for the calling thread (reentrant), waiting while a kthread polls it; dispose
    /// the lease to give it back. Hold it briefly: no kthread can poll the stack meanwhile.
    /// </summary>
    public StackLease EnterStack()
    {
        int me = Environment.CurrentManagedThreadId;
        if (Volatile.Read(ref _stackOwner) == me)
        {
            _stackDepth++;
            return new StackLease(this);
        }
        var spinner = default(SpinWait);
        while (Interlocked.CompareExchange(ref _stackOwner, me, 0) != 0) spinner.SpinOnce(sleep1Threshold: -1);
        _stackDepth = 1;
        return new StackLease(this);
    }

    /// <summary>Creates a timer whose callback runs as a uthread of this instance.</summary>
    public RuntimeTimer CreateTimer(Action<object?> callback, object? state = null)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new RuntimeTimer(this, callback, state);
    }

    /// <summary>Stops serving the instance, waits for its kthreads to leave, and disposes its stack.</summary>
    public void Dispose()
    {
        int previous = Interlocked.Exchange(ref _state, Disposed);
        if (previous == Disposed) return;
        if (previous != Idle) _runtime.InstanceWentIdle();
        _runtime.Remove(this);
        Diagnostics.JunctionMetrics.Unregister(this);
        int mine = Current == this ? 1 : 0;
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _attached) > mine) spinner.SpinOnce();
        using (EnterStack()) Stack.Dispose();
        WakeTimer?.Dispose();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"instance {Index} ({Stack.Address})";

    internal void Enqueue(object callback, object? state)
    {
        RuntimeSlot? slot = t_slot;
        if (slot is not null && slot.Instance == this)
        {
            slot.Local.Enqueue(callback, state);
            return;
        }
        _injection.Enqueue(callback, state);
        Activate(wake: true);
    }

    /// <summary>Queues a uthread unless the instance was disposed (nothing would run it).</summary>
    internal bool TryEnqueue(object callback, object? state)
    {
        if (State == Disposed) return false;
        Enqueue(callback, state);
        return true;
    }

    internal void ScheduleTimer(TimerEntry entry, Instant deadline)
    {
        using (EnterStack()) _timers.Schedule(entry, deadline);
        // A parked instance sleeps until its old deadline: wake it so it parks again with the new one.
        if (Current != this) Activate(wake: true);
    }

    /// <summary>Wakes a parked instance (a packet, a timer, a post). False when it was not parked.</summary>
    internal bool Activate(bool wake)
    {
        if (Interlocked.CompareExchange(ref _state, Scheduled, Idle) != Idle) return false;
        Statistics.ActivationsValue++;
        _runtime.InstanceWentActive();
        if (_runtime.IsManual) return true;
        for (int i = 0; i < MinKthreads; i++) _runtime.Grant(this, wake || i > 0);
        return true;
    }

    internal void TicketQueued() => Interlocked.Increment(ref _pendingGrants);

    internal bool HasNoKthread => Volatile.Read(ref _attached) == 0 && State == Running;

    /// <summary>Serves the instance on the calling kthread until it runs dry, rotates, or is disposed.</summary>
    internal void Serve(Kthread kthread)
    {
        kthread.NativeThreadId = Interop.Libc.GetTid();
        RuntimeSlot? slot = TryAttach(kthread);
        if (slot is null) return;
        SynchronizationContext? previousContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        t_slot = slot;
        try
        {
            RunLoop(slot);
        }
        finally
        {
            t_slot = null;
            SynchronizationContext.SetSynchronizationContext(previousContext);
        }
    }

    /// <summary>Runs rounds on the calling thread until one finds nothing to do (manual runtimes: deterministic tests).</summary>
    internal int RunUntilIdle(int maxRounds = 10_000)
    {
        RuntimeSlot slot = _slots[0];
        SynchronizationContext? previousContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        t_slot = slot;
        try
        {
            for (int round = 1; round <= maxRounds; round++)
            {
                if (!RunRound(slot, _runtime.Timestamp())) return round;
            }
            return maxRounds;
        }
        finally
        {
            t_slot = null;
            SynchronizationContext.SetSynchronizationContext(previousContext);
        }
    }

    private RuntimeSlot? TryAttach(Kthread kthread)
    {
        bool first;
        RuntimeSlot? slot = null;
        lock (_gate)
        {
            _pendingGrants--;
            int state = _state;
            if (state is Idle or Disposed || _attached - _blocked >= MaxKthreads) return null;
            if (state == Scheduled && Interlocked.CompareExchange(ref _state, Running, Scheduled) != Scheduled) return null;
            foreach (RuntimeSlot candidate in _slots)
            {
                if (candidate.Owner is null)
                {
                    slot = candidate;
                    break;
                }
            }
            if (slot is null) return null;
            slot.Owner = kthread;
            slot.Heartbeat = _runtime.Timestamp();
            first = _attached == 0;
            _attached++;
            if (_attached > Statistics.PeakKthreadsValue) Statistics.PeakKthreadsValue = _attached;
        }
        if (first) _device?.EndWait();
        return slot;
    }

    private void RunLoop(RuntimeSlot slot)
    {
        JunctionRuntime runtime = _runtime;
        long idleSince = 0;
        long servedSince = runtime.Timestamp();
        while (true)
        {
            long now = runtime.Timestamp();
            Volatile.Write(ref slot.Heartbeat, now);
            if (slot.Blocked) ClearBlocked(slot);
            bool worked = RunRound(slot, now);
            runtime.MaybeSupervise(now);
            if (State == Disposed || runtime.IsDisposing)
            {
                lock (_gate) Detach(slot);
                return;
            }
            if (worked)
            {
                idleSince = 0;
            }
            else if (idleSince == 0)
            {
                idleSince = now;
            }
            else if (now - idleSince >= runtime.SpinTicks)
            {
                if (TryLeaveIdle(slot)) return;
                idleSince = 0;
            }
            else
            {
                // Spin politely: a thread this kthread just woke (the peer's kthread, the application's pool thread)
                // is often queued behind it on the same core, and would otherwise wait out the whole spin.
                Thread.Yield();
            }
            if (now - servedSince >= runtime.QuantumTicks)
            {
                servedSince = now;
                if (runtime.AnInstanceStarves() && TryRotate(slot)) return;
            }
        }
    }

    /// <summary>One round: poll the stack if no other kthread does, fire timers, then run up to a budget of uthreads.</summary>
    private bool RunRound(RuntimeSlot slot, long timestamp)
    {
        bool worked = false;
        int me = Environment.CurrentManagedThreadId;
        if (Interlocked.CompareExchange(ref _stackOwner, me, 0) == 0)
        {
            _stackDepth = 1;
            try
            {
                Instant now = _runtime.ToInstant(timestamp);
                NetStackStatistics counters = Stack.Statistics;
                long frames = counters.FramesReceivedCount + counters.FramesSentCount;
                Stack.Poll(now);
                int fired = _timers.Count > 0 ? _timers.Advance(now) : 0;
                worked = fired > 0 || frames != counters.FramesReceivedCount + counters.FramesSentCount;
                LastRoundTime = now;
                Volatile.Write(ref _lastPoll, timestamp);
            }
            finally
            {
                _stackDepth = 0;
                Volatile.Write(ref _stackOwner, 0);
            }
        }
        int budget = _runtime.UthreadBudget;
        long ran = 0;
        for (; ran < budget; ran++)
        {
            if (!TryTakeWork(slot, out WorkItem item)) break;
            RunUthread(item);
            // A kthread found blocked that got back announces it at once, so its replacement can go.
            if (slot.Blocked)
            {
                ran++;
                break;
            }
            // Long uthreads end the round early, so the stack is polled and the heartbeat moves at least every interval.
            if ((ran & 3) == 3 && _runtime.Timestamp() - timestamp > _runtime.IntervalTicks)
            {
                ran++;
                break;
            }
        }
        if (ran > 0)
        {
            worked = true;
            Statistics.UthreadsValue += ran;
        }
        Statistics.RoundsValue++;
        return worked;
    }

    private void RunUthread(in WorkItem item)
    {
        try
        {
            item.Run();
        }
        catch (Exception exception) when (_runtime.UnhandledException is not null)
        {
            _runtime.UnhandledException(exception);
        }
        catch (Exception exception)
        {
            // As on the thread pool, an exception nobody handles ends the process (on this thread, with its stack).
            ExceptionDispatchInfo.Capture(exception).Throw();
        }
    }

    private bool TryTakeWork(RuntimeSlot slot, out WorkItem item)
    {
        if (slot.Local.TryDequeue(out item)) return true;
        if (_injection.TryDequeue(out item)) return true;
        // Work stealing: another kthread of the instance made these ready but is busy (or blocked).
        RuntimeSlot[] slots = _slots;
        for (int i = 1; i < slots.Length; i++)
        {
            RuntimeSlot victim = slots[(slot.Index + i) % slots.Length];
            if (victim.Local.TryDequeue(out item)) return true;
        }
        return false;
    }

    private bool AllQueuesEmpty()
    {
        if (!_injection.IsEmpty) return false;
        foreach (RuntimeSlot slot in _slots)
        {
            if (!slot.Local.IsEmpty) return false;
        }
        return true;
    }

    /// <summary>
    /// The kthread found nothing to do for a while: an extra kthread goes back to the runtime (revoked); the last
    /// one parks the instance on its device, its timer and its queues. False: there is work after all.
    /// </summary>
    private bool TryLeaveIdle(RuntimeSlot slot)
    {
        lock (_gate)
        {
            if (_attached > 1)
            {
                Detach(slot);
                Statistics.RevocationsValue++;
                return true;
            }
            Instant deadline;
            long leases;
            // The device belongs to whoever holds the stack: an application thread may be sending through it right now.
            using (EnterStack())
            {
                if (!_device!.PrepareToWait(out Instant nextArrival)) return false;
                deadline = Instant.Min(Instant.Min(Stack.NextDeadline, _timers.NextDeadline), nextArrival);
                leases = _stackLeases + 1; // this lease's own release
            }
            if (!AllQueuesEmpty()) return false;
            Instant now = _runtime.Now;
            if (deadline <= now) return false;
            BeforeParking?.Invoke();

            Kthread owner = slot.Owner!;
            Detach(slot);
            if (Interlocked.CompareExchange(ref _state, Idle, Running) != Running) return true; // disposed meanwhile
            // A post, or a change to the stack (a send that armed a timer, frames the device refused), that came after
            // the checks above saw the instance running and woke no one: take it ourselves.
            if ((!AllQueuesEmpty() || Interlocked.Read(ref _stackLeases) != leases) && Interlocked.CompareExchange(ref _state, Running, Idle) == Idle)
            {
                slot.Owner = owner;
                _attached++;
                return false;
            }
            _runtime.InstanceWentIdle();
            _runtime.ArmWakeups(this, deadline == Instant.Never ? TimeSpan.MaxValue : deadline - now);
            Statistics.ParksValue++;
            return true;
        }
    }

    /// <summary>Other instances wait for a kthread: give this one up and queue behind them.</summary>
    private bool TryRotate(RuntimeSlot slot)
    {
        lock (_gate)
        {
            Detach(slot);
            if (_attached == 0) _runtime.Grant(this, wake: false);
        }
        return true;
    }

    private void Detach(RuntimeSlot slot)
    {
        if (slot.Blocked)
        {
            slot.Blocked = false;
            _blocked--;
            _runtime.KthreadUnblocked();
        }
        slot.Owner = null;
        _attached--;
    }

    private void ClearBlocked(RuntimeSlot slot)
    {
        lock (_gate)
        {
            if (!slot.Blocked) return;
            slot.Blocked = false;
            _blocked--;
            _runtime.KthreadUnblocked();
        }
    }

    /// <summary>
    /// The core allocator's look at a running instance (Caladan's policy): a kthread stuck in blocking code gets a
    /// replacement; an instance whose oldest uthread has waited since the previous look, or whose stack has not
    /// been polled for an interval, gets one more kthread up to its maximum.
    /// </summary>
    internal void Supervise(long now)
    {
        if (State != Running) return;
        bool grant = false;
        lock (_gate)
        {
            if (_state != Running) return;
            foreach (RuntimeSlot slot in _slots)
            {
                if (slot.Owner is null || slot.Blocked) continue;
                long heartbeat = Volatile.Read(ref slot.Heartbeat);
                if (now - heartbeat <= _runtime.BlockedTicks / 4) continue;
                int tid = slot.Owner.NativeThreadId;
                if (slot.SuspectHeartbeat != heartbeat)
                {
                    // A quarter of the way: note the CPU time it has used, to tell sleeping from computing at the threshold.
                    Suspect(slot, heartbeat, Interop.Libc.ThreadCpuTimeNanoseconds(tid), now);
                    continue;
                }
                // Judged once it is a threshold behind, on at least half a threshold of evidence.
                if (now - heartbeat <= _runtime.BlockedTicks || 2 * (now - slot.SuspectSince) < _runtime.BlockedTicks) continue;
                // A kthread that is runnable was preempted (or runs a long uthread), not blocked: a replacement would
                // only compete with it for the same CPUs (seen on a 2-vCPU VM: 4 kthreads, bulk throughput a third).
                // One that used CPU for an eighth of the time since it was suspected computes too (one asleep uses
                // ~0), and was caught off the CPU only for a moment (a page fault, a short sleep): not blocked either.
                bool runnable = Interop.Libc.IsThreadRunnable(tid) == true;
                long cpu = Interop.Libc.ThreadCpuTimeNanoseconds(tid);
                if (GC.CollectionCount(0) != slot.SuspectCollections)
                {
                    // A garbage collection suspended every managed thread in the meantime, asleep in the kernel, and
                    // a replacement could not have run either: the evidence says nothing; gather it again.
                    Suspect(slot, heartbeat, cpu, now);
                    continue;
                }
                if (runnable || IsComputing(slot, cpu, now))
                {
                    Statistics.PreemptedValue++;
                    Suspect(slot, heartbeat, cpu, now);
                    continue;
                }
                slot.Blocked = true;
                _blocked++;
                _runtime.KthreadBlocked();
                Statistics.BlockedValue++;
                grant = true;
            }
            long enqueued = _injection.EnqueuedCount, dequeued = _injection.DequeuedCount;
            foreach (RuntimeSlot slot in _slots)
            {
                enqueued += slot.Local.EnqueuedCount;
                dequeued += slot.Local.DequeuedCount;
            }
            bool uthreadsWaited = dequeued < _enqueuedAtLastCheck;
            bool packetsWaited = _attached > 0 && now - Volatile.Read(ref _lastPoll) > _runtime.IntervalTicks;
            _enqueuedAtLastCheck = enqueued;
            int effective = _attached - _blocked;
            if (!grant && (uthreadsWaited || packetsWaited) && effective < MaxKthreads && _pendingGrants <= 0 && _attached < _slots.Length)
            {
                grant = true;
                Statistics.GrantsValue++;
            }
        }
        if (grant) _runtime.Grant(this, wake: true);
    }

    private static void Suspect(RuntimeSlot slot, long heartbeat, long cpuTime, long now)
    {
        slot.SuspectHeartbeat = heartbeat;
        slot.SuspectCollections = GC.CollectionCount(0);
        slot.SuspectCpuTime = cpuTime;
        slot.SuspectSince = now;
    }

    /// <summary>Whether the owner used CPU for at least an eighth of the time since it was suspected (<paramref name="cpu"/> in ns, -1 unknown).</summary>
    private bool IsComputing(RuntimeSlot slot, long cpu, long now)
    {
        if (cpu < 0 || slot.SuspectCpuTime < 0) return false;
        return 8 * (cpu - slot.SuspectCpuTime) >= _runtime.TicksToNanoseconds(now - slot.SuspectSince);
    }

    /// <summary>Gives the stack back; the last of nested leases clears the ownership flag.</summary>
    internal void ExitStack()
    {
        if (--_stackDepth != 0) return;
        // Counted with a full fence: a kthread parking right now re-reads the count after going idle (and stays up if
        // it moved), while this thread reads the state afterwards (and wakes an idle instance) — one of them sees the other.
        Interlocked.Increment(ref _stackLeases);
        Volatile.Write(ref _stackOwner, 0);
    }

    /// <summary>A held <see cref="EnterStack"/>; dispose it to give the stack back.</summary>
    public readonly struct StackLease : IDisposable
    {
        private readonly RuntimeInstance _instance;

        internal StackLease(RuntimeInstance instance) => _instance = instance;

        /// <summary>Gives the stack back.</summary>
        public void Dispose() => _instance?.ExitStack();
    }

    private sealed class Invocation<T>(RuntimeInstance instance, Func<T> function) : TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously), IThreadPoolWorkItem
    {
        public void Execute()
        {
            try
            {
                T result;
                using (instance.EnterStack()) result = function();
                TrySetResult(result);
            }
            catch (Exception exception)
            {
                TrySetException(exception);
            }
        }
    }
}

namespace Junction.Runtime;

/// <summary>How a <see cref="JunctionRuntime"/> schedules its instances.</summary>
public sealed record JunctionRuntimeOptions
{
    /// <summary>The clock every instance's stack and timers run on.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// How many kthreads may run at once (not counting ones stuck in blocking application code). Zero creates
    /// no thread at all: the caller drives instances itself (deterministic tests).
    /// </summary>
    public int MaxKthreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Whether kthreads are dedicated threads or thread-pool work items.</summary>
    public KthreadMode Mode { get; init; } = KthreadMode.DedicatedThreads;

    /// <summary>How long a kthread keeps polling an instance that has nothing to do before it parks it (or leaves it).</summary>
    public TimeSpan SpinBeforePark { get; init; } = TimeSpan.FromMicroseconds(50);

    /// <summary>
    /// How often the core allocator looks at the running instances: an instance whose oldest queued uthread has
    /// waited this long, or whose stack has not been polled for this long, gets one more kthread.
    /// </summary>
    public TimeSpan AllocatorInterval { get; init; } = TimeSpan.FromMicroseconds(250);

    /// <summary>A kthread that has not come back to its loop for this long counts as blocked, and its instance gets another.</summary>
    public TimeSpan BlockedThreshold { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>When kthreads are all taken and other instances wait, how long a kthread serves one instance before it rotates.</summary>
    public TimeSpan Quantum { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How many uthreads a kthread runs between two polls of the stack.</summary>
    public int UthreadBudget { get; init; } = 64;

    /// <summary>
    /// Called with an exception a uthread did not handle; when null the exception ends the process, as on the
    /// .NET thread pool.
    /// </summary>
    public Action<Exception>? UnhandledException { get; init; }
}

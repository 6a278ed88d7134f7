namespace Junction.Runtime;

/// <summary>What a kthread is made of.</summary>
public enum KthreadMode
{
    /// <summary>
    /// Threads the runtime creates and parks itself: a parked kthread waits in epoll and runs the instance it
    /// wakes for with no hand-off (the default; see <see cref="JunctionRuntime"/> for the measurements).
    /// </summary>
    DedicatedThreads,

    /// <summary>
    /// Work items on the .NET thread pool: one runtime thread waits in epoll and queues a work item per grant,
    /// which serves instances until they go idle and then returns its thread to the pool.
    /// </summary>
    ThreadPool,
}

namespace Junction.Runtime;

/// <summary>
/// One kthread's place in an instance: its local run queue (uthreads it made ready run there first, on the same
/// thread), which other kthreads of the instance steal from, and its heartbeat for the blocked-kthread check.
/// </summary>
internal sealed class RuntimeSlot(RuntimeInstance instance, int index)
{
    public RuntimeInstance Instance { get; } = instance;

    public int Index { get; } = index;

    public WorkQueue Local { get; } = new(256);

    /// <summary>The kthread in the slot; null when free. Changed under the instance's gate.</summary>
    public Kthread? Owner;

    /// <summary>The clock timestamp at which the owner last started a round.</summary>
    public long Heartbeat;

    /// <summary>
    /// The heartbeat the allocator last found a quarter of the way to blocked, with the owner's CPU time (ns) and the clock then:
    /// the evidence it weighs once the heartbeat is a full threshold old. Used under the instance's gate.
    /// </summary>
    public long SuspectHeartbeat = long.MinValue;

    /// <summary>The owner's CPU time in nanoseconds when <see cref="SuspectHeartbeat"/> was recorded.</summary>
    public long SuspectCpuTime;

    /// <summary>How many garbage collections had run when <see cref="SuspectHeartbeat"/> was recorded.</summary>
    public int SuspectCollections;

    /// <summary>The clock timestamp at which <see cref="SuspectHeartbeat"/> was recorded.</summary>
    public long SuspectSince;

    /// <summary>Whether the allocator found the owner stuck and granted a replacement. Changed under the instance's gate.</summary>
    public bool Blocked;
}

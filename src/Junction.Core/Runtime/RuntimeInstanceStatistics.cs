namespace Junction.Runtime;

/// <summary>What the scheduler did for one instance (updated by kthreads; read them as approximate while it runs).</summary>
public sealed class RuntimeInstanceStatistics
{
    internal long ActivationsValue;
    internal long ParksValue;
    internal long GrantsValue;
    internal long RevocationsValue;
    internal long BlockedValue;
    internal long PreemptedValue;
    internal long UthreadsValue;
    internal long RoundsValue;
    internal int PeakKthreadsValue;

    /// <summary>How often the instance woke up from idle (a packet, a timer or a post).</summary>
    public long Activations => Volatile.Read(ref ActivationsValue);

    /// <summary>How often its last kthread parked it.</summary>
    public long Parks => Volatile.Read(ref ParksValue);

    /// <summary>How many extra kthreads the allocator granted it because its queues backed up.</summary>
    public long Grants => Volatile.Read(ref GrantsValue);

    /// <summary>How many kthreads left it because they found nothing to do (revoked by the allocator's policy).</summary>
    public long Revocations => Volatile.Read(ref RevocationsValue);

    /// <summary>How many times a kthread was found stuck in blocking code.</summary>
    public long BlockedKthreads => Volatile.Read(ref BlockedValue);

    /// <summary>
    /// How many times a kthread behind its heartbeat was found runnable — preempted, or running a long uthread — and so
    /// got no replacement (one would only compete for the same CPUs).
    /// </summary>
    public long PreemptedKthreads => Volatile.Read(ref PreemptedValue);

    /// <summary>How many uthreads ran.</summary>
    public long UthreadsRun => Volatile.Read(ref UthreadsValue);

    /// <summary>How many scheduling rounds kthreads ran.</summary>
    public long Rounds => Volatile.Read(ref RoundsValue);

    /// <summary>The most kthreads the instance had at once.</summary>
    public int PeakKthreads => Volatile.Read(ref PeakKthreadsValue);
}

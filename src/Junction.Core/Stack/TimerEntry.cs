namespace Junction.Stack;

/// <summary>
/// Something that a <see cref="TimerWheel"/> calls back at a deadline. The entry is its own list node
/// (intrusive links), so scheduling, moving and cancelling never allocate.
/// </summary>
internal abstract class TimerEntry
{
    /// <summary>Not in any list.</summary>
    internal const int Unlinked = -1;

    internal TimerEntry? NextInList;
    internal TimerEntry? PreviousInList;
    internal TimerWheel? Owner;
    internal int ListIndex = Unlinked;
    internal long DeadlineMicroseconds = long.MaxValue;

    /// <summary>When the entry fires; <see cref="Instant.Never"/> when not scheduled.</summary>
    public Instant Deadline => new(DeadlineMicroseconds);

    /// <summary>Whether the entry is scheduled on a wheel.</summary>
    public bool IsScheduled => Owner is not null;

    /// <summary>
    /// Called by the wheel once <see cref="Deadline"/> has passed. The entry is already unscheduled, so it may
    /// schedule itself again.
    /// </summary>
    protected internal abstract void OnTimer(Instant now);
}

using Junction.Stack;

namespace Junction.Runtime;

/// <summary>
/// A one-shot timer on an instance's timer wheel: when its deadline passes, its callback runs as a uthread of the
/// instance. Rearm it with <see cref="Change(TimeSpan)"/>; arming and cancelling allocate nothing.
/// </summary>
public sealed class RuntimeTimer : IDisposable
{
    private readonly RuntimeInstance _instance;
    private readonly Entry _entry;

    internal RuntimeTimer(RuntimeInstance instance, Action<object?> callback, object? state)
    {
        _instance = instance;
        _entry = new Entry(this, callback, state);
    }

    /// <summary>The deadline it is armed for, or <see cref="Instant.Never"/>.</summary>
    public Instant Deadline => _entry.Deadline;

    /// <summary>The instance time at which it last fired (the time of the kthread round that fired it).</summary>
    public Instant LastFired { get; private set; } = Instant.Never;

    /// <summary>Arms the timer <paramref name="dueTime"/> from now; <see cref="Timeout.InfiniteTimeSpan"/> cancels.</summary>
    public void Change(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan) Change(Instant.Never);
        else Change(_instance.Runtime.Now + dueTime);
    }

    /// <summary>Arms the timer for <paramref name="deadline"/> on the runtime's clock; <see cref="Instant.Never"/> cancels.</summary>
    public void Change(Instant deadline) => _instance.ScheduleTimer(_entry, deadline);

    /// <summary>Cancels the timer.</summary>
    public void Dispose() => Change(Instant.Never);

    private sealed class Entry(RuntimeTimer owner, Action<object?> callback, object? state) : TimerEntry
    {
        protected internal override void OnTimer(Instant now)
        {
            owner.LastFired = now;
            owner._instance.Enqueue(callback, state);
        }
    }
}

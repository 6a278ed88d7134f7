namespace Junction.Runtime;

/// <summary>
/// One uthread waiting to run: a callback and its state, as the schedulers hand them over. The callback is an
/// <see cref="Action{T}"/> of object (PipeScheduler, Post), a <see cref="SendOrPostCallback"/>
/// (SynchronizationContext), an <see cref="IThreadPoolWorkItem"/> (state unused), an <see cref="Action"/>, or a
/// <see cref="Task"/> with its <see cref="RuntimeTaskScheduler"/> as state.
/// </summary>
internal readonly struct WorkItem(object callback, object? state)
{
    public object Callback { get; } = callback;

    public object? State { get; } = state;

    public void Run()
    {
        switch (Callback)
        {
            case Action<object?> action:
                action(State);
                break;
            case IThreadPoolWorkItem workItem:
                workItem.Execute();
                break;
            case SendOrPostCallback callback:
                callback(State);
                break;
            case Task task:
                ((RuntimeTaskScheduler)State!).Run(task);
                break;
            case Action action:
                action();
                break;
            default:
                throw new InvalidOperationException($"Cannot run a {Callback.GetType()} as a uthread.");
        }
    }
}

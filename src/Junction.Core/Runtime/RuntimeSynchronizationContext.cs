namespace Junction.Runtime;

/// <summary>
/// The synchronization context of an instance's kthreads: <c>await</c> in code running on them resumes as a uthread
/// of the same instance, on the kthread that completed the awaited operation.
/// </summary>
internal sealed class RuntimeSynchronizationContext(RuntimeInstance instance) : SynchronizationContext
{
    public RuntimeInstance Instance { get; } = instance;

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        Instance.Enqueue(d, state);
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (RuntimeInstance.Current == Instance) d(state);
        else Instance.InvokeAsync(() => d(state)).GetAwaiter().GetResult();
    }

    public override SynchronizationContext CreateCopy() => this;
}

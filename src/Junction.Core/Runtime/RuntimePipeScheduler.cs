using System.IO.Pipelines;

namespace Junction.Runtime;

/// <summary>The <see cref="PipeScheduler"/> of an instance: pipe callbacks and continuations run as its uthreads.</summary>
internal sealed class RuntimePipeScheduler(RuntimeInstance instance) : PipeScheduler
{
    public override void Schedule(Action<object?> action, object? state)
    {
        ArgumentNullException.ThrowIfNull(action);
        instance.Enqueue(action, state);
    }
}

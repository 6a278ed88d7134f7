namespace Junction.Runtime;

/// <summary>Runs tasks as uthreads of one instance (for <c>Task.Factory.StartNew</c> and <c>ConfigureAwait</c>-free code).</summary>
internal sealed class RuntimeTaskScheduler(RuntimeInstance instance) : TaskScheduler
{
    public RuntimeInstance Instance { get; } = instance;

    public override int MaximumConcurrencyLevel => Instance.MaxKthreads;

    internal void Run(Task task) => TryExecuteTask(task);

    protected override void QueueTask(Task task) => Instance.Enqueue(task, this);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        RuntimeInstance.Current == Instance && TryExecuteTask(task);

    // The queues are lock-free rings that cannot be enumerated safely; debuggers get nothing.
    protected override IEnumerable<Task>? GetScheduledTasks() => null;
}

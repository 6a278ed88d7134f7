namespace Junction.Runtime;

/// <summary>
/// A kernel thread in Caladan's sense: the loop that serves instances (polls their stacks, runs their uthreads,
/// fires their timers). In <see cref="KthreadMode.DedicatedThreads"/> it owns a thread; in
/// <see cref="KthreadMode.ThreadPool"/> it is the work item a pool thread runs.
/// </summary>
internal sealed class Kthread(JunctionRuntime runtime, int id) : IThreadPoolWorkItem
{
    public int Id { get; } = id;

    public Thread? Thread { get; set; }

    /// <summary>The Linux thread id of the thread serving an instance right now (set when it starts serving).</summary>
    public int NativeThreadId { get; set; }

    public void Execute() => runtime.RunPooledKthread(this);

    public override string ToString() => $"kthread {Id}";
}

using System.Diagnostics;
using Junction.Runtime;

namespace Junction.Tests.Runtime;

public sealed class CoreAllocatorTests
{
    [Fact]
    public void Grants_a_second_kthread_under_load_and_takes_it_back_when_idle()
    {
        using var lab = new RuntimeLab(new JunctionRuntimeOptions { MaxKthreads = 2 });
        RuntimeInstance instance = lab.Add(1, new RuntimeInstanceOptions { MinKthreads = 1, MaxKthreads = 2 });
        Assert.True(RuntimeLab.Eventually(() => instance.IsIdle));
        var threads = new HashSet<int>();
        int done = 0;
        Action<object?> work = _ =>
        {
            // 200 µs of CPU per uthread: 400 of them queue up far longer than the allocator's interval.
            long end = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5000;
            while (Stopwatch.GetTimestamp() < end) Thread.SpinWait(10);
            lock (threads) threads.Add(Environment.CurrentManagedThreadId);
            Interlocked.Increment(ref done);
        };

        for (int i = 0; i < 400; i++) instance.Post(work, null);

        Assert.True(RuntimeLab.Eventually(() => Volatile.Read(ref done) == 400));
        Assert.True(instance.Statistics.Grants >= 1, "the allocator granted no kthread");
        // At least two; a third only if a kthread was descheduled long enough to look blocked (a loaded machine).
        Assert.InRange(instance.Statistics.PeakKthreads, 2, 2 + (int)instance.Statistics.BlockedKthreads);
        Assert.True(threads.Count >= 2);
        // Idle again: the extra kthread was revoked and the last one parked the instance.
        Assert.True(RuntimeLab.Eventually(() => instance.IsIdle && instance.KthreadCount == 0));
        Assert.True(instance.Statistics.Revocations >= 1);
    }

    [Fact]
    public void An_idle_instance_keeps_no_kthread()
    {
        using var lab = new RuntimeLab();
        RuntimeInstance instance = lab.Add(1);

        Assert.True(RuntimeLab.Eventually(() => instance.IsIdle));
        Assert.Equal(0, instance.KthreadCount);
        Assert.Equal(0, lab.Runtime.ActiveInstanceCount);
    }
}

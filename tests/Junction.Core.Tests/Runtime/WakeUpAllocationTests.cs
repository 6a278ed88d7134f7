using Junction.Runtime;

namespace Junction.Tests.Runtime;

/// <summary>Waking a parked instance (a post from outside the runtime) allocates nothing, counted over the whole process.</summary>
[Collection(nameof(ProcessWideAllocation))]
public sealed class WakeUpAllocationTests
{
    private const int Window = 200;
    private static readonly Action<object?> Increment = static state => Interlocked.Increment(ref ((Counter)state!).Value);

    [Theory]
    [InlineData(KthreadMode.DedicatedThreads)]
    [InlineData(KthreadMode.ThreadPool)]
    public void Waking_a_parked_instance_allocates_nothing(KthreadMode mode)
    {
        using var lab = new RuntimeLab(new JunctionRuntimeOptions { Mode = mode, MaxKthreads = 2 });
        RuntimeInstance instance = lab.Add(1);
        var counter = new Counter();
        long[] windows = new long[5];
        int woken = 0;
        for (int w = -1; w < windows.Length; w++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Window; i++)
            {
                Assert.True(WaitUntilParked(instance), "The instance did not park within 10 s.");
                instance.Post(Increment, counter);
                woken++;
                Assert.True(WaitUntilCount(counter, woken), "The posted uthread did not run within 10 s.");
            }
            if (w >= 0) windows[w] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        // Fewer bytes than a quarter of the smallest object (24 B) per wake-up in the quietest window: nothing is
        // allocated per wake-up. Exact zero would be luck: the test host allocates a few hundred bytes a window.
        Assert.True(windows.Min() < 6 * Window, $"Bytes allocated per window of {Window} wake-ups: {string.Join(", ", windows)}");
        Assert.True(instance.Statistics.Parks >= 6 * Window);
    }

    // Waits without lambdas: a capturing lambda per wake-up would allocate in the measured windows.
    private static bool WaitUntilParked(RuntimeInstance instance)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!instance.IsIdle)
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(1);
        }
        return true;
    }

    private static bool WaitUntilCount(Counter counter, int expected)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (Volatile.Read(ref counter.Value) != expected)
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Yield();
        }
        return true;
    }

    private sealed class Counter
    {
        public int Value;
    }
}

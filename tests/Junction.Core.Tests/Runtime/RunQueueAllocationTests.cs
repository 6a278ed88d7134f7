using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Tests.Runtime;

public sealed class RunQueueAllocationTests
{
    [Fact]
    public void Posting_and_running_uthreads_and_polling_the_stack_allocate_nothing_in_steady_state()
    {
        var clock = new SimulatedTimeProvider();
        using var runtime = new JunctionRuntime(new JunctionRuntimeOptions { Clock = clock, MaxKthreads = 0 });
        RuntimeInstance instance = runtime.CreateInstance(new ChannelDevice(MacAddress.LocallyAdministered(1)), new NetStackOptions { Address = new Ipv4Address(10, 0, 0, 1) });
        var counter = new Counter();
        Action<object?> increment = state => ((Counter)state!).Value++;
        RuntimeTimer timer = instance.CreateTimer(increment, counter);
        void Cycle()
        {
            for (int i = 0; i < 100; i++) instance.Post(increment, counter);
            instance.Scheduler.Schedule(increment, counter);
            instance.SynchronizationContext.Post(s => ((Counter)s!).Value++, counter);
            timer.Change(TimeSpan.FromMilliseconds(1));
            clock.Advance(TimeSpan.FromMilliseconds(2));
            instance.RunUntilIdle();
        }
        Cycle(); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Cycle();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1001 * 103, counter.Value);
    }

    [Fact]
    public void The_run_queue_spills_past_its_ring_and_keeps_every_item_in_order()
    {
        var queue = new WorkQueue(capacity: 8);
        for (int i = 0; i < 20; i++) queue.Enqueue((Action)(() => { }), i);

        Assert.Equal(20, queue.Count);
        for (int i = 0; i < 20; i++)
        {
            Assert.True(queue.TryDequeue(out WorkItem item));
            Assert.Equal(i, item.State);
        }
        Assert.False(queue.TryDequeue(out _));
        Assert.Equal(20, queue.DequeuedCount);
    }

    private sealed class Counter
    {
        public int Value;
    }
}

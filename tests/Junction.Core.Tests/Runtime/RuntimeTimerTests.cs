using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Tests.Runtime;

public sealed class RuntimeTimerTests
{
    [Fact]
    public void Timers_fire_in_deadline_order_within_one_clock_step_in_simulated_time()
    {
        var clock = new SimulatedTimeProvider(Instant.FromMilliseconds(1000));
        // No kthreads: the test drives the instance itself, so simulated time and the rounds are deterministic.
        using var runtime = new JunctionRuntime(new JunctionRuntimeOptions { Clock = clock, MaxKthreads = 0 });
        RuntimeInstance instance = runtime.CreateInstance(new ChannelDevice(MacAddress.LocallyAdministered(1)), new NetStackOptions { Address = new Ipv4Address(10, 0, 0, 1) });
        var random = new Random(42);
        var fired = new List<(int Id, Instant Deadline, Instant FiredAt, Instant RanAt)>();
        var timers = new RuntimeTimer[300];
        for (int i = 0; i < timers.Length; i++)
        {
            int id = i;
            timers[i] = instance.CreateTimer(_ => fired.Add((id, timers[id].Deadline, timers[id].LastFired, runtime.Now)));
        }
        var deadlines = new Instant[timers.Length];
        for (int i = 0; i < timers.Length; i++)
        {
            deadlines[i] = clock.Now + TimeSpan.FromMicroseconds(random.Next(1, 2_000_000));
            timers[i].Change(deadlines[i]);
        }
        // Moving a timer and cancelling another must be honoured too.
        deadlines[7] = clock.Now + TimeSpan.FromMilliseconds(5);
        timers[7].Change(deadlines[7]);
        timers[8].Change(Timeout.InfiniteTimeSpan);

        var maxStep = TimeSpan.FromMilliseconds(3);
        while (clock.Now < Instant.FromMilliseconds(3100))
        {
            clock.Advance(TimeSpan.FromMicroseconds(random.Next(1, (int)maxStep.TotalMicroseconds)));
            instance.RunUntilIdle();
        }

        Assert.Equal(timers.Length - 1, fired.Count);
        Assert.DoesNotContain(fired, f => f.Id == 8);
        for (int i = 0; i < fired.Count; i++)
        {
            (int id, _, Instant firedAt, Instant ranAt) = fired[i];
            Assert.True(firedAt >= deadlines[id], $"timer {id} fired at {firedAt}, before its deadline {deadlines[id]}");
            Assert.True(firedAt - deadlines[id] < maxStep, $"timer {id} fired {firedAt - deadlines[id]} late");
            Assert.Equal(firedAt, ranAt); // its callback ran in the round that fired it
            if (i > 0) Assert.True(deadlines[fired[i - 1].Id] <= deadlines[id], "timers fired out of deadline order");
        }
    }

    [Fact]
    public void A_timer_wakes_a_parked_instance_in_real_time()
    {
        using var lab = new RuntimeLab();
        RuntimeInstance instance = lab.Add(1);
        Assert.True(RuntimeLab.Eventually(() => instance.IsIdle));
        var fired = new ManualResetEventSlim();
        using RuntimeTimer timer = instance.CreateTimer(_ => fired.Set());
        long parksBefore = instance.Statistics.Parks;

        timer.Change(TimeSpan.FromMilliseconds(20));
        Instant deadline = timer.Deadline;

        Assert.True(fired.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(timer.LastFired >= deadline);
        Assert.True(RuntimeLab.Eventually(() => instance.IsIdle && instance.Statistics.Parks > parksBefore));
    }

    [Fact]
    public void A_timer_armed_from_another_thread_while_the_kthread_parks_still_fires()
    {
        using var lab = new RuntimeLab();
        RuntimeInstance instance = lab.Add(1);
        Assert.True(RuntimeLab.Eventually(() => instance.IsIdle));
        var fired = new ManualResetEventSlim();
        using RuntimeTimer timer = instance.CreateTimer(_ => fired.Set());
        int raced = 0;
        // The window: the kthread has chosen its deadline (none) and not yet gone idle, so waking it finds it running.
        instance.BeforeParking = () =>
        {
            if (Interlocked.Exchange(ref raced, 1) != 0) return;
            Task.Run(() => timer.Change(TimeSpan.FromMilliseconds(1))).Wait();
        };

        instance.Post(_ => { }, null);

        Assert.True(fired.Wait(TimeSpan.FromSeconds(10)), "the timer armed while the kthread parked never fired");
        Assert.Equal(1, Volatile.Read(ref raced));
    }
}

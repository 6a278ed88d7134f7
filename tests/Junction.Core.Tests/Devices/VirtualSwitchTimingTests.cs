using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Tests.Devices;

public sealed class VirtualSwitchTimingTests
{
    private static readonly MacAddress MacA = MacAddress.LocallyAdministered(1);
    private static readonly MacAddress MacB = MacAddress.LocallyAdministered(2);
    private static readonly VirtualPortOptions Small = new() { FrameCount = 1024, FrameSize = 2048, QueueCapacity = 1024 };

    [Fact]
    public void Without_faults_a_frame_is_receivable_at_once()
    {
        var clock = new SimulatedTimeProvider(Instant.FromMilliseconds(3));
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small), b = network.CreatePort(MacB, Small);

        TestFrames.Send(a, MacB, 1);

        Assert.Equal(Instant.FromMilliseconds(3), network.NextDeliveryTime);
        Assert.Single(TestFrames.Drain(b));
        Assert.Equal(Instant.Never, network.NextDeliveryTime);
    }

    [Fact]
    public void Delivers_a_delayed_frame_no_earlier_than_its_delay()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small with { Faults = new FaultSettings { Delay = TimeSpan.FromMilliseconds(5) } });
        VirtualPort b = network.CreatePort(MacB, Small);

        TestFrames.Send(a, MacB, 1);

        Assert.Equal(Instant.FromMilliseconds(5), network.NextDeliveryTime);
        Assert.Equal(Instant.FromMilliseconds(5), b.NextDeliveryTime);
        clock.AdvanceTo(new Instant(4_999));
        Assert.Empty(TestFrames.Drain(b));
        clock.AdvanceTo(Instant.FromMilliseconds(5));
        Assert.Single(TestFrames.Drain(b));
        Assert.Equal(1, a.FaultStatistics.Delayed);
    }

    [Fact]
    public void Serializes_frames_at_the_link_rate_before_the_delay()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        // 1000 bytes at 1 Mbit/s take 8 ms on the wire.
        var faults = new FaultSettings { BandwidthBitsPerSecond = 1_000_000, Delay = TimeSpan.FromMilliseconds(10) };
        VirtualPort a = network.CreatePort(MacA, Small with { Faults = faults });
        VirtualPort b = network.CreatePort(MacB, Small);

        for (int i = 0; i < 3; i++) TestFrames.Send(a, MacB, i, length: 1000);
        var arrivals = new List<TestFrames.Arrival>();
        TestFrames.RunUntilIdle(clock, network, b, arrivals);

        Assert.Equal([0, 1, 2], arrivals.Select(x => x.Sequence));
        Assert.Equal([Instant.FromMilliseconds(18), Instant.FromMilliseconds(26), Instant.FromMilliseconds(34)], arrivals.Select(x => x.At));
        Assert.Equal(2, a.FaultStatistics.Queued);

        // Once the link is idle again a frame does not wait for earlier ones.
        TestFrames.Send(a, MacB, 3, length: 1000);
        Assert.Equal(clock.Now + TimeSpan.FromMilliseconds(18), network.NextDeliveryTime);
        Assert.Equal(2, a.FaultStatistics.Queued);
        TestFrames.RunUntilIdle(clock, network, b, arrivals);
    }

    [Fact]
    public void Serialization_time_is_rounded_up_to_the_next_microsecond()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        // 100 bytes at 3 Gbit/s take 266.7 ns each; three of them end at 800 ns, which rounds up to 1 us.
        VirtualPort a = network.CreatePort(MacA, Small with { Faults = new FaultSettings { BandwidthBitsPerSecond = 3_000_000_000 } });
        VirtualPort b = network.CreatePort(MacB, Small);

        for (int i = 0; i < 3; i++) TestFrames.Send(a, MacB, i);
        var arrivals = new List<TestFrames.Arrival>();
        TestFrames.RunUntilIdle(clock, network, b, arrivals);

        Assert.Equal([new Instant(1), new Instant(1), new Instant(1)], arrivals.Select(x => x.At));
        Assert.Equal([0, 1, 2], arrivals.Select(x => x.Sequence));
    }

    [Fact]
    public void Jitter_spreads_arrivals_within_delay_plus_jitter()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        var faults = new FaultSettings { Delay = TimeSpan.FromMilliseconds(5), Jitter = TimeSpan.FromMilliseconds(1), Seed = 11 };
        VirtualPort a = network.CreatePort(MacA, Small with { Faults = faults });
        VirtualPort b = network.CreatePort(MacB, Small);

        for (int i = 0; i < 500; i++) TestFrames.Send(a, MacB, i);
        var arrivals = new List<TestFrames.Arrival>();
        TestFrames.RunUntilIdle(clock, network, b, arrivals);

        Assert.Equal(500, arrivals.Count);
        Assert.All(arrivals, x => Assert.InRange(x.At.Microseconds, 5_000, 6_000));
        Assert.True(arrivals.Select(x => x.At).Distinct().Count() > 100);
        Assert.Equal(arrivals.Select(x => x.At).Order(), arrivals.Select(x => x.At));
    }

    [Fact]
    public void Frames_due_at_the_same_time_arrive_in_the_order_they_were_sent()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small with { Faults = new FaultSettings { Delay = TimeSpan.FromMilliseconds(1) } });
        VirtualPort b = network.CreatePort(MacB, Small);

        for (int i = 0; i < 100; i++) TestFrames.Send(a, MacB, i);
        var arrivals = new List<TestFrames.Arrival>();
        TestFrames.RunUntilIdle(clock, network, b, arrivals);

        Assert.Equal(Enumerable.Range(0, 100), arrivals.Select(x => x.Sequence));
    }

    [Fact]
    public void Receive_hands_out_no_more_than_the_batch_holds()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small), b = network.CreatePort(MacB, Small);
        for (int i = 0; i < 5; i++) TestFrames.Send(a, MacB, i);

        Span<Frame> batch = new Frame[3];
        Assert.Equal(3, b.Receive(batch));
        foreach (Frame frame in batch) frame.Release();
        Assert.Equal(0, b.Receive([]));
        Assert.Equal(2, b.Receive(batch));
        batch[0].Release();
        batch[1].Release();
        TestFrames.AssertPoolFull(b.Pool);
    }
}

using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Tests.Devices;

public sealed class VirtualSwitchForwardingTests
{
    private static readonly MacAddress MacA = MacAddress.LocallyAdministered(1);
    private static readonly MacAddress MacB = MacAddress.LocallyAdministered(2);
    private static readonly MacAddress MacC = MacAddress.LocallyAdministered(3);
    private static readonly VirtualPortOptions Small = new() { FrameCount = 64, FrameSize = 2048, QueueCapacity = 64 };

    [Fact]
    public void Floods_unknown_unicast_then_forwards_to_the_learned_port_only()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small), b = network.CreatePort(MacB, Small), c = network.CreatePort(MacC, Small);

        TestFrames.Send(a, MacB, 1);
        Assert.Equal(1, network.Statistics.Flooded);
        Assert.Same(a, network.Lookup(MacA));
        Assert.Equal([1], TestFrames.Drain(b).Select(TestFrames.SequenceOf));
        Assert.Equal([1], TestFrames.Drain(c).Select(TestFrames.SequenceOf));
        Assert.Empty(TestFrames.Drain(a));

        TestFrames.Send(b, MacA, 2);
        Assert.Equal(1, network.Statistics.Forwarded);
        Assert.Equal([2], TestFrames.Drain(a).Select(TestFrames.SequenceOf));
        Assert.Empty(TestFrames.Drain(c));

        TestFrames.Send(a, MacB, 3);
        Assert.Equal(2, network.Statistics.Forwarded);
        Assert.Equal(1, network.Statistics.Flooded);
        Assert.Equal([3], TestFrames.Drain(b).Select(TestFrames.SequenceOf));
        Assert.Empty(TestFrames.Drain(c));
        Assert.Empty(TestFrames.Drain(a));

        Assert.Equal(3, a.Statistics.FramesTransmitted + b.Statistics.FramesTransmitted);
        Assert.Equal(2, b.Statistics.FramesReceived);
        Assert.Equal(200, b.Statistics.BytesReceived);
    }

    [Fact]
    public void Floods_broadcast_and_multicast_to_every_port_but_the_ingress_port()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small), b = network.CreatePort(MacB, Small), c = network.CreatePort(MacC, Small);
        // Every station has spoken, so nothing is unknown.
        TestFrames.Send(b, MacA, 0);
        TestFrames.Send(c, MacA, 0);
        TestFrames.Drain(a);
        TestFrames.Drain(b);
        TestFrames.Drain(c);
        long floodedBefore = network.Statistics.Flooded;

        TestFrames.Send(a, MacAddress.Broadcast, 1);
        TestFrames.Send(a, MacAddress.Parse("01:00:5e:00:00:01"), 2);

        Assert.Equal(floodedBefore + 2, network.Statistics.Flooded);
        Assert.Equal([1, 2], TestFrames.Drain(b).Select(TestFrames.SequenceOf));
        Assert.Equal([1, 2], TestFrames.Drain(c).Select(TestFrames.SequenceOf));
        Assert.Empty(TestFrames.Drain(a));
    }

    [Fact]
    public void Filters_a_frame_whose_destination_lives_behind_the_ingress_port()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small), b = network.CreatePort(MacB, Small);
        TestFrames.Send(a, MacB, 0);
        TestFrames.Drain(b);

        TestFrames.Send(a, MacA, 1);

        Assert.Equal(1, network.Statistics.Filtered);
        Assert.Empty(TestFrames.Drain(a));
        Assert.Empty(TestFrames.Drain(b));
        TestFrames.AssertPoolFull(a.Pool);
    }

    [Fact]
    public void Relearns_an_address_that_moves_to_another_port()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small), b = network.CreatePort(MacB, Small);
        VirtualPort c = network.CreatePort(MacC, Small);
        TestFrames.Send(a, MacB, 0);
        Assert.Same(a, network.Lookup(MacA));

        // Port C sends with A's source address: the station moved.
        Frame moved = TestFrames.Rent(c, MacB, 1);
        MacA.Write(moved.Span[6..]);
        c.Transmit([moved]);

        Assert.Same(c, network.Lookup(MacA));
        TestFrames.Drain(a);
        TestFrames.Drain(b);
    }

    [Fact]
    public void Drops_and_counts_frames_when_the_destination_pool_is_empty()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small);
        VirtualPort b = network.CreatePort(MacB, Small with { FrameCount = 4, FrameSize = 256 });

        for (int i = 0; i < 10; i++) TestFrames.Send(a, MacB, i);

        Assert.Equal(4, b.PendingCount);
        Assert.Equal(6, b.Statistics.DroppedNoFrame);
        Assert.Equal(6, network.Statistics.DroppedNoFrame);
        Assert.Equal([0, 1, 2, 3], TestFrames.Drain(b).Select(TestFrames.SequenceOf));
        TestFrames.AssertPoolFull(a.Pool);
        TestFrames.AssertPoolFull(b.Pool);
    }

    [Fact]
    public void Drops_and_counts_frames_when_the_destination_queue_is_full()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small);
        VirtualPort b = network.CreatePort(MacB, Small with { QueueCapacity = 3 });

        for (int i = 0; i < 10; i++) TestFrames.Send(a, MacB, i);

        Assert.Equal(7, b.Statistics.DroppedQueueFull);
        Assert.Equal(7, network.Statistics.DroppedQueueFull);
        Assert.Equal([0, 1, 2], TestFrames.Drain(b).Select(TestFrames.SequenceOf));
        TestFrames.AssertPoolFull(b.Pool);
    }

    [Fact]
    public void Drops_runts_frames_beyond_the_mtu_and_frames_larger_than_the_destination_frame_size()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small);
        VirtualPort b = network.CreatePort(MacB, Small with { FrameSize = 256 });

        TestFrames.Send(a, MacB, 1, length: 1514);
        Assert.Equal(1, b.Statistics.DroppedOversize);
        Assert.Equal(1, network.Statistics.DroppedOversize);

        TestFrames.Send(a, MacB, 2, length: 1515);
        Assert.Equal(1, a.Statistics.DroppedMalformed);
        Assert.True(a.Pool.TryRent(out Frame runt));
        a.Transmit([runt.WithWindow(0, 13)]);

        Assert.Equal(2, a.Statistics.DroppedMalformed);
        Assert.Equal(2, network.Statistics.DroppedMalformed);
        Assert.Empty(TestFrames.Drain(b));
        TestFrames.AssertPoolFull(a.Pool);
        TestFrames.AssertPoolFull(b.Pool);
    }

    [Fact]
    public void Releases_the_sender_frame_and_copies_into_the_receiver_pool()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small), b = network.CreatePort(MacB, Small);

        TestFrames.Send(a, MacB, 7);

        TestFrames.AssertPoolFull(a.Pool);
        Assert.Equal(b.Pool.FrameCount - 1, b.Pool.FreeCount);
        Span<Frame> received = new Frame[1];
        Assert.Equal(1, b.Receive(received));
        Assert.Same(b.Pool, received[0].Pool);
        Assert.Equal(TestFrames.Create(MacB, MacA, 7), received[0].Span.ToArray());
        received[0].Release();
        TestFrames.AssertPoolFull(b.Pool);
    }

    [Fact]
    public void Ports_sharing_one_pool_exchange_frames_and_leave_it_full_and_usable()
    {
        var clock = new SimulatedTimeProvider();
        using var shared = new FramePool(8, 2048);
        using (var network = new VirtualSwitch(clock))
        {
            VirtualPort a = network.CreatePort(MacA, Small with { Pool = shared });
            VirtualPort b = network.CreatePort(MacB, Small with { Pool = shared });
            Assert.Same(shared, a.Pool);
            Assert.Same(shared, b.Pool);

            TestFrames.Send(a, MacB, 1);
            TestFrames.Send(b, MacA, 2);
            Assert.Equal(6, shared.FreeCount);

            Assert.Equal([1], TestFrames.Drain(b).Select(TestFrames.SequenceOf));
            Assert.Equal([2], TestFrames.Drain(a).Select(TestFrames.SequenceOf));
        }

        TestFrames.AssertPoolFull(shared);
        Assert.True(shared.TryRent(out Frame stillUsable));
        stillUsable.Span[0] = 1;
        stillUsable.Release();
    }

    [Fact]
    public void Disposing_a_port_releases_frames_in_flight_and_forgets_its_addresses()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, Small with { Faults = new FaultSettings { Delay = TimeSpan.FromMilliseconds(5) } });
        VirtualPort b = network.CreatePort(MacB, Small);
        TestFrames.Send(b, MacA, 0);
        for (int i = 0; i < 5; i++) TestFrames.Send(a, MacB, i);
        Assert.Equal(5, b.PendingCount);
        Assert.Equal(1, a.PendingCount);

        b.Dispose();

        TestFrames.AssertPoolFull(b.Pool);
        Assert.Null(network.Lookup(MacB));
        Assert.Equal([a], network.Ports);
        Assert.Equal(Instant.Zero, network.NextDeliveryTime);
        Assert.Single(TestFrames.Drain(a));
        Assert.Equal(Instant.Never, network.NextDeliveryTime);
        TestFrames.AssertPoolFull(a.Pool);
    }

    [Fact]
    public void Disposing_the_switch_returns_every_pool_to_full()
    {
        var clock = new SimulatedTimeProvider();
        var network = new VirtualSwitch(clock);
        var faults = new FaultSettings { Delay = TimeSpan.FromMilliseconds(1), DuplicateRate = 0.5, Seed = 3 };
        VirtualPort a = network.CreatePort(MacA, Small with { Faults = faults });
        VirtualPort b = network.CreatePort(MacB, Small with { Faults = faults });
        VirtualPort c = network.CreatePort(MacC, Small);
        for (int i = 0; i < 10; i++)
        {
            TestFrames.Send(a, MacB, i);
            TestFrames.Send(b, MacAddress.Broadcast, i);
        }
        Assert.True(b.PendingCount > 0 && c.PendingCount > 0);

        network.Dispose();

        TestFrames.AssertPoolFull(a.Pool);
        TestFrames.AssertPoolFull(b.Pool);
        TestFrames.AssertPoolFull(c.Pool);
        Assert.Empty(network.Ports);
    }

    [Fact]
    public void Forwarding_with_every_fault_enabled_allocates_nothing_in_steady_state()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        var faults = new FaultSettings
        {
            LossRate = 0.1, DuplicateRate = 0.1, ReorderRate = 0.1, CorruptRate = 0.1,
            Delay = TimeSpan.FromMicroseconds(50), Jitter = TimeSpan.FromMicroseconds(20),
            BandwidthBitsPerSecond = 1_000_000_000, Seed = 9,
        };
        VirtualPort a = network.CreatePort(MacA, Small with { Faults = faults });
        VirtualPort b = network.CreatePort(MacB, Small);
        var received = new Frame[8];
        Exchange(clock, a, b, received, 200);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Exchange(clock, a, b, received, 2000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        clock.Advance(TimeSpan.FromSeconds(1));
        Exchange(clock, a, b, received, 0);
        TestFrames.AssertPoolFull(a.Pool);
        TestFrames.AssertPoolFull(b.Pool);
    }

    private static void Exchange(SimulatedTimeProvider clock, VirtualPort a, VirtualPort b, Frame[] received, int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            a.Pool.TryRent(out Frame frame);
            frame = frame.WithWindow(0, 100);
            TestFrames.Fill(frame.Span, MacB, MacA, i);
            a.Transmit([frame]);
            clock.Advance(TimeSpan.FromMicroseconds(10));
            Drain(b, received);
        }
        Drain(b, received);
    }

    private static void Drain(VirtualPort port, Frame[] batch)
    {
        int count;
        while ((count = port.Receive(batch)) > 0)
        {
            for (int j = 0; j < count; j++) batch[j].Release();
        }
    }
}

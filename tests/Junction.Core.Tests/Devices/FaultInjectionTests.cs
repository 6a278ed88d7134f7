using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Tests.Devices;

public sealed class FaultInjectionTests
{
    private const int FrameTotal = 10_000;
    private static readonly MacAddress MacA = MacAddress.LocallyAdministered(1);
    private static readonly MacAddress MacB = MacAddress.LocallyAdministered(2);

    private sealed record RunResult(List<TestFrames.Arrival> Arrivals, FaultStatistics Faults, SwitchStatistics Switch);

    /// <summary>Sends <see cref="FrameTotal"/> frames from A to B, one every 10 us, with A's faults, and collects what B receives.</summary>
    private static RunResult Run(FaultSettings faults)
    {
        var clock = new SimulatedTimeProvider();
        var arrivals = new List<TestFrames.Arrival>();
        FaultStatistics faultStatistics;
        SwitchStatistics switchStatistics;
        var options = new VirtualPortOptions { FrameCount = 2048, FrameSize = 256, QueueCapacity = 2048 };
        using (var network = new VirtualSwitch(clock))
        {
            VirtualPort a = network.CreatePort(MacA, options with { Faults = faults });
            VirtualPort b = network.CreatePort(MacB, options);
            for (int i = 0; i < FrameTotal; i++)
            {
                TestFrames.Send(a, MacB, i);
                clock.Advance(TimeSpan.FromMicroseconds(10));
                foreach (byte[] bytes in TestFrames.Drain(b)) arrivals.Add(new TestFrames.Arrival(clock.Now, bytes));
            }
            TestFrames.RunUntilIdle(clock, network, b, arrivals);
            TestFrames.AssertPoolFull(a.Pool);
            TestFrames.AssertPoolFull(b.Pool);
            faultStatistics = a.FaultStatistics;
            switchStatistics = network.Statistics;
        }
        return new RunResult(arrivals, faultStatistics, switchStatistics);
    }

    private static int BitsDifferingFromOriginal(byte[] received, out int firstDifferingByte) =>
        BitsDiffering(TestFrames.Create(MacB, MacA, TestFrames.SequenceOf(received), received.Length), received, out firstDifferingByte);

    private static int BitsDiffering(byte[] original, byte[] received, out int firstDifferingByte)
    {
        Assert.Equal(original.Length, received.Length);
        int bits = 0;
        firstDifferingByte = -1;
        for (int i = 0; i < original.Length; i++)
        {
            int diff = System.Numerics.BitOperations.PopCount((uint)(original[i] ^ received[i]));
            if (diff != 0 && firstDifferingByte < 0) firstDifferingByte = i;
            bits += diff;
        }
        return bits;
    }

    [Fact]
    public void Loses_about_the_configured_share_of_frames()
    {
        RunResult run = Run(new FaultSettings { LossRate = 0.1, Seed = 1 });

        Assert.InRange(run.Faults.Lost, 850, 1150);
        Assert.Equal(run.Faults.Lost, run.Switch.DroppedLost);
        Assert.Equal(FrameTotal - run.Faults.Lost, run.Arrivals.Count);
        Assert.Equal(run.Arrivals.Count, run.Arrivals.Select(x => x.Sequence).Distinct().Count());
        Assert.Equal(run.Arrivals.Select(x => x.Sequence).Order(), run.Arrivals.Select(x => x.Sequence));
    }

    [Fact]
    public void Duplicates_about_the_configured_share_of_frames()
    {
        RunResult run = Run(new FaultSettings { DuplicateRate = 0.05, Seed = 2 });

        Assert.InRange(run.Faults.Duplicated, 400, 600);
        Assert.Equal(FrameTotal + run.Faults.Duplicated, run.Arrivals.Count);
        int seenTwice = run.Arrivals.GroupBy(x => x.Sequence).Count(g => g.Count() == 2);
        Assert.Equal(run.Faults.Duplicated, seenTwice);
        Assert.Equal(FrameTotal, run.Arrivals.Select(x => x.Sequence).Distinct().Count());
        Assert.All(run.Arrivals, x => Assert.Equal(0, BitsDifferingFromOriginal(x.Bytes, out _)));
    }

    [Fact]
    public void Reorders_about_the_configured_share_of_frames_behind_later_ones()
    {
        RunResult run = Run(new FaultSettings { ReorderRate = 0.05, ReorderDelay = TimeSpan.FromMilliseconds(1), Seed = 3 });

        Assert.InRange(run.Faults.Reordered, 400, 600);
        Assert.Equal(FrameTotal, run.Arrivals.Count);
        // A held-back frame arrives after frames sent up to 1 ms (100 frames) later; only the very last frame
        // sent could be held back without anything overtaking it.
        int overtaken = 0, highest = -1;
        foreach (TestFrames.Arrival arrival in run.Arrivals)
        {
            if (arrival.Sequence < highest) overtaken++;
            highest = Math.Max(highest, arrival.Sequence);
        }
        Assert.InRange(overtaken, run.Faults.Reordered - 1, run.Faults.Reordered);
    }

    [Fact]
    public void Corrupts_about_the_configured_share_of_frames_by_exactly_one_bit_after_the_ethernet_header()
    {
        RunResult run = Run(new FaultSettings { CorruptRate = 0.05, Seed = 4 });

        Assert.InRange(run.Faults.Corrupted, 400, 600);
        Assert.Equal(FrameTotal, run.Arrivals.Count);
        int corrupted = 0;
        var offsets = new HashSet<int>();
        // Nothing is lost or reordered, so the k-th arrival is the k-th frame sent (even if its sequence field was hit).
        for (int k = 0; k < run.Arrivals.Count; k++)
        {
            byte[] received = run.Arrivals[k].Bytes;
            int bits = BitsDiffering(TestFrames.Create(MacB, MacA, k, received.Length), received, out int offset);
            if (bits == 0) continue;
            Assert.Equal(1, bits);
            Assert.InRange(offset, 14, received.Length - 1);
            offsets.Add(offset);
            corrupted++;
        }
        Assert.Equal(run.Faults.Corrupted, corrupted);
        Assert.True(offsets.Count > 40, "corruption should hit many different bytes");
    }

    [Fact]
    public void Corruption_damages_every_copy_of_a_duplicated_frame_the_same_way_and_never_the_sender_frame()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        VirtualPort a = network.CreatePort(MacA, new VirtualPortOptions { FrameCount = 8, Faults = new FaultSettings { CorruptRate = 1, DuplicateRate = 1, Seed = 5 } });
        VirtualPort b = network.CreatePort(MacB, new VirtualPortOptions { FrameCount = 8 });
        byte[] sent = TestFrames.Create(MacB, MacA, 77);

        a.Pool.TryRent(out Junction.Devices.Frame frame);
        frame = frame.WithWindow(0, sent.Length);
        sent.CopyTo(frame.Span);
        frame.AddRef();
        a.Transmit([frame]);

        Assert.Equal(sent, frame.Span.ToArray());
        frame.Release();
        List<byte[]> received = TestFrames.Drain(b);
        Assert.Equal(2, received.Count);
        Assert.Equal(received[0], received[1]);
        Assert.NotEqual(sent, received[0]);
        Assert.Equal(1, a.FaultStatistics.Corrupted);
        Assert.Equal(1, a.FaultStatistics.Duplicated);
    }

    [Fact]
    public void The_same_seed_reproduces_the_same_run_and_another_seed_does_not()
    {
        FaultSettings faults = new()
        {
            LossRate = 0.02, DuplicateRate = 0.02, ReorderRate = 0.02, CorruptRate = 0.02,
            Delay = TimeSpan.FromMicroseconds(200), Jitter = TimeSpan.FromMicroseconds(50),
            BandwidthBitsPerSecond = 100_000_000, Seed = 42,
        };

        RunResult first = Run(faults);
        RunResult second = Run(faults);
        RunResult other = Run(faults with { Seed = 43 });

        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.NotEqual(Fingerprint(first), Fingerprint(other));
        Assert.True(first.Faults.Lost > 0 && first.Faults.Duplicated > 0 && first.Faults.Reordered > 0 && first.Faults.Corrupted > 0);
        Assert.Equal(first.Faults.Lost, second.Faults.Lost);
        Assert.Equal(first.Faults.Corrupted, second.Faults.Corrupted);
    }

    private static List<string> Fingerprint(RunResult run) =>
        run.Arrivals.Select(x => $"{x.At.Microseconds}:{Convert.ToHexString(x.Bytes)}").ToList();

    [Fact]
    public void Rejects_rates_outside_zero_to_one()
    {
        var clock = new SimulatedTimeProvider();
        using var network = new VirtualSwitch(clock);
        Assert.Throws<ArgumentOutOfRangeException>(() => network.CreatePort(MacA, new VirtualPortOptions { FrameCount = 4, Faults = new FaultSettings { LossRate = 1.5 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => network.CreatePort(MacA, new VirtualPortOptions { FrameCount = 4, Faults = new FaultSettings { CorruptRate = double.NaN } }));
        Assert.Empty(network.Ports);
    }
}

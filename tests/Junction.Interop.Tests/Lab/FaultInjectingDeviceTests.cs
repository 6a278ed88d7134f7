using System.Buffers.Binary;
using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Interop.Tests.Lab;

public sealed class FaultInjectingDeviceTests
{
    private const int FrameTotal = 10_000;
    private const int FrameLength = 100;
    private static readonly MacAddress Mac = MacAddress.LocallyAdministered(7);

    /// <summary>A run's arrivals: the sequence number each received frame carries and when it came out.</summary>
    private sealed record Arrival(int Sequence, Instant At, int DifferingBits);

    private static byte[] CreateFrame(int sequence)
    {
        byte[] frame = new byte[FrameLength];
        MacAddress.Broadcast.Write(frame);
        Mac.Write(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x88B5);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        // Every byte of the sequence number (odd factors) shapes the pattern, so a flipped bit there never makes the
        // frame identical to another sequence number's.
        int mix = sequence * 31 + (sequence >> 8) * 17 + (sequence >> 16) * 13 + (sequence >> 24) * 11;
        for (int i = 18; i < frame.Length; i++) frame[i] = (byte)(i * 7 + mix);
        return frame;
    }

    private static int SequenceOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[14..]);

    private static int BitsDiffering(ReadOnlySpan<byte> received)
    {
        byte[] original = CreateFrame(SequenceOf(received));
        int bits = 0;
        for (int i = 0; i < original.Length; i++) bits += System.Numerics.BitOperations.PopCount((uint)(original[i] ^ received[i]));
        return bits;
    }

    private static ChannelDevice CreateChannel() => new(Mac, frameCount: 4096, frameSize: 256, queueCapacity: 4096);

    /// <summary>Injects one frame every 10 us into a channel device and receives through the fault injector until everything held came out.</summary>
    private static (List<Arrival> Arrivals, FaultStatistics Faults, long DuplicatesSkipped) RunReceive(FaultSettings faults)
    {
        var clock = new SimulatedTimeProvider();
        var arrivals = new List<Arrival>();
        using var channel = CreateChannel();
        using var device = new FaultInjectingDevice(channel, faults, FaultSettings.None, clock, holdCapacity: 2048, ownsInner: false);
        var batch = new Frame[32];
        for (int i = 0; i < FrameTotal; i++)
        {
            Assert.True(channel.Inject(CreateFrame(i)));
            clock.Advance(TimeSpan.FromMicroseconds(10));
            Drain(device, batch, clock, arrivals);
        }
        for (int i = 0; i < 1000 && device.HeldCount > 0; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            Drain(device, batch, clock, arrivals);
        }
        Assert.Equal(0, device.HeldCount);
        Assert.Equal(channel.Pool.FrameCount, channel.Pool.FreeCount);
        return (arrivals, device.ReceiveStatistics, device.DuplicatesSkipped);
    }

    private static void Drain(FaultInjectingDevice device, Frame[] batch, SimulatedTimeProvider clock, List<Arrival> arrivals)
    {
        int n;
        while ((n = device.Receive(batch)) > 0)
        {
            for (int j = 0; j < n; j++)
            {
                arrivals.Add(new Arrival(SequenceOf(batch[j].Span), clock.Now, BitsDiffering(batch[j].Span)));
                batch[j].Release();
            }
        }
    }

    private static int Inversions(List<Arrival> arrivals)
    {
        int inversions = 0;
        for (int i = 1; i < arrivals.Count; i++) if (arrivals[i].Sequence < arrivals[i - 1].Sequence) inversions++;
        return inversions;
    }

    [Fact]
    public void Receive_loses_about_the_configured_share_and_keeps_order()
    {
        var (arrivals, faults, _) = RunReceive(new FaultSettings { LossRate = 0.1, Seed = 1 });

        Assert.InRange(faults.Lost, 850, 1150);
        Assert.Equal(FrameTotal - faults.Lost, arrivals.Count);
        Assert.Equal(arrivals.Count, arrivals.Select(a => a.Sequence).Distinct().Count());
        Assert.Equal(0, Inversions(arrivals));
        Assert.All(arrivals, a => Assert.Equal(0, a.DifferingBits));
    }

    [Fact]
    public void Receive_duplicates_about_the_configured_share_as_intact_copies()
    {
        var (arrivals, faults, skipped) = RunReceive(new FaultSettings { DuplicateRate = 0.05, Seed = 2 });

        Assert.InRange(faults.Duplicated, 400, 600);
        Assert.Equal(0, skipped);
        Assert.Equal(FrameTotal + faults.Duplicated, arrivals.Count);
        Assert.Equal(faults.Duplicated, arrivals.GroupBy(a => a.Sequence).Count(g => g.Count() == 2));
        Assert.Equal(FrameTotal, arrivals.Select(a => a.Sequence).Distinct().Count());
        Assert.All(arrivals, a => Assert.Equal(0, a.DifferingBits));
    }

    [Fact]
    public void Receive_reorders_about_the_configured_share_by_holding_frames_back()
    {
        var (arrivals, faults, _) = RunReceive(new FaultSettings { ReorderRate = 0.05, ReorderDelay = TimeSpan.FromMilliseconds(1), Seed = 3 });

        Assert.InRange(faults.Reordered, 400, 600);
        Assert.Equal(FrameTotal, arrivals.Count);
        Assert.Equal(FrameTotal, arrivals.Select(a => a.Sequence).Distinct().Count());
        // A frame held back by 1 ms is overtaken by the ~100 frames injected after it, so each held frame is one inversion.
        Assert.InRange(Inversions(arrivals), faults.Reordered * 9 / 10, faults.Reordered);
    }

    [Fact]
    public void Receive_delays_every_frame_by_the_configured_latency()
    {
        var clock = new SimulatedTimeProvider();
        using var channel = CreateChannel();
        using var device = new FaultInjectingDevice(channel, new FaultSettings { Delay = TimeSpan.FromMilliseconds(5) }, FaultSettings.None, clock, ownsInner: false);
        var batch = new Frame[8];
        Assert.True(channel.Inject(CreateFrame(1)));

        Assert.Equal(0, device.Receive(batch));
        Assert.Equal(Instant.FromMilliseconds(5), device.NextDeadline);
        clock.Advance(TimeSpan.FromMicroseconds(4999));
        Assert.Equal(0, device.Receive(batch));
        clock.Advance(TimeSpan.FromMicroseconds(1));
        Assert.Equal(1, device.Receive(batch));
        Assert.Equal(1, SequenceOf(batch[0].Span));
        batch[0].Release();
        Assert.Equal(1, device.ReceiveStatistics.Delayed);
    }

    [Fact]
    public void Receive_corrupts_one_bit_after_the_ethernet_header_and_stops_claiming_checksum_offload()
    {
        var (arrivals, faults, _) = RunReceive(new FaultSettings { CorruptRate = 0.1, Seed = 4 });

        Assert.InRange(faults.Corrupted, 850, 1150);
        Assert.Equal(faults.Corrupted, arrivals.Count(a => a.DifferingBits != 0));
        // A flip inside the sequence number makes the frame differ from the other number's in many bits; every other flip is one bit.
        Assert.True(arrivals.Count(a => a.DifferingBits == 1) >= faults.Corrupted * 9 / 10);
        using var channel = CreateChannel();
        using var device = new FaultInjectingDevice(channel, new FaultSettings { CorruptRate = 0.1 }, FaultSettings.None, ownsInner: false);
        Assert.Equal(DeviceCapabilities.None, device.Capabilities & DeviceCapabilities.RxChecksumOffload);
    }

    [Fact]
    public void The_same_seed_gives_the_same_fate_to_the_same_traffic()
    {
        var faults = new FaultSettings { LossRate = 0.05, DuplicateRate = 0.05, ReorderRate = 0.05, Jitter = TimeSpan.FromMicroseconds(300), Seed = 9 };

        var first = RunReceive(faults).Arrivals;
        var second = RunReceive(faults).Arrivals;
        var other = RunReceive(faults with { Seed = 10 }).Arrivals;

        Assert.Equal(first, second);
        Assert.NotEqual(first.Select(a => a.Sequence), other.Select(a => a.Sequence));
    }

    [Fact]
    public void Transmit_loses_duplicates_and_delays_frames_before_the_inner_device()
    {
        var clock = new SimulatedTimeProvider();
        using var channel = CreateChannel();
        var faults = new FaultSettings { LossRate = 0.1, DuplicateRate = 0.05, Delay = TimeSpan.FromMilliseconds(2), Seed = 5 };
        using var device = new FaultInjectingDevice(channel, FaultSettings.None, faults, clock, holdCapacity: 4096, ownsInner: false);
        var taken = new List<int>();
        byte[] buffer = new byte[256];
        for (int i = 0; i < 2000; i++)
        {
            Assert.True(channel.Pool.TryRent(out Frame frame));
            frame = frame.WithWindow(0, FrameLength);
            CreateFrame(i).CopyTo(frame.Span);
            Assert.Equal(1, device.Transmit([frame]));
            clock.Advance(TimeSpan.FromMicroseconds(10));
            device.Flush();
            while (channel.TryTakeTransmitted(buffer, out int length))
            {
                Assert.Equal(FrameLength, length);
                taken.Add(SequenceOf(buffer));
            }
            // Nothing sent in the last 2 ms can have reached the inner device yet.
            Assert.DoesNotContain(taken, s => s > i - 199);
        }
        clock.Advance(TimeSpan.FromMilliseconds(3));
        device.Flush();
        while (channel.TryTakeTransmitted(buffer, out _)) taken.Add(SequenceOf(buffer));

        FaultStatistics stats = device.TransmitStatistics;
        Assert.InRange(stats.Lost, 150, 250);
        Assert.InRange(stats.Duplicated, 60, 140);
        Assert.Equal(2000 - stats.Lost + stats.Duplicated, taken.Count);
        Assert.Equal(taken.Order(), taken);
        Assert.Equal(0, device.HeldCount);
        Assert.Equal(channel.Pool.FrameCount, channel.Pool.FreeCount);
    }

    [Fact]
    public void Transmit_accepts_only_what_the_hold_queue_has_room_for()
    {
        var clock = new SimulatedTimeProvider();
        using var channel = CreateChannel();
        using var device = new FaultInjectingDevice(channel, FaultSettings.None, new FaultSettings { Delay = TimeSpan.FromMilliseconds(1) }, clock, holdCapacity: 8, ownsInner: false);
        var frames = new Frame[10];
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.True(channel.Pool.TryRent(out frames[i]));
            frames[i] = frames[i].WithWindow(0, FrameLength);
        }

        // Room for two copies of every frame taken: 8 slots take 7 frames.
        int accepted = device.Transmit(frames);

        Assert.Equal(7, accepted);
        for (int i = accepted; i < frames.Length; i++) frames[i].Release();
        clock.Advance(TimeSpan.FromMilliseconds(1));
        device.Flush();
        Assert.Equal(7, channel.TransmittedCount);
    }

    [Fact]
    public void Dispose_disposes_an_inner_device_it_owns()
    {
        var channel = CreateChannel();
        var device = new FaultInjectingDevice(channel, FaultSettings.None, FaultSettings.None);

        device.Dispose();

        Assert.Throws<ObjectDisposedException>(() => channel.Inject(CreateFrame(0)));
        Assert.Throws<ObjectDisposedException>(() => device.Receive(new Frame[1]));
    }

    [Fact]
    public void Dispose_leaves_an_inner_device_it_does_not_own_with_a_full_pool()
    {
        var clock = new SimulatedTimeProvider();
        using var channel = CreateChannel();
        var slow = new FaultSettings { Delay = TimeSpan.FromSeconds(1), DuplicateRate = 0.5, Seed = 6 };
        var device = new FaultInjectingDevice(channel, slow, slow, clock, ownsInner: false);
        for (int i = 0; i < 50; i++)
        {
            Assert.True(channel.Inject(CreateFrame(i)));
            Assert.True(channel.Pool.TryRent(out Frame frame));
            Assert.Equal(1, device.Transmit([frame.WithWindow(0, FrameLength)]));
        }
        Assert.Equal(0, device.Receive(new Frame[64]));
        Assert.True(device.HeldCount >= 100);

        device.Dispose();

        Assert.Equal(channel.Pool.FrameCount, channel.Pool.FreeCount);
        Assert.Equal(0, channel.TransmittedCount);
    }

    [Fact]
    public void Receive_and_transmit_allocate_nothing_per_frame()
    {
        var clock = new SimulatedTimeProvider();
        using var channel = CreateChannel();
        var faults = new FaultSettings { LossRate = 0.05, DuplicateRate = 0.05, ReorderRate = 0.05, CorruptRate = 0.01, Jitter = TimeSpan.FromMicroseconds(50), Seed = 8 };
        using var device = new FaultInjectingDevice(channel, faults, faults, clock, ownsInner: false);
        byte[] template = CreateFrame(0);
        byte[] buffer = new byte[256];
        var batch = new Frame[16];
        var one = new Frame[1];

        void Round()
        {
            for (int i = 0; i < 16; i++) channel.Inject(template);
            clock.Advance(TimeSpan.FromMicroseconds(100));
            int n = device.Receive(batch);
            for (int i = 0; i < n; i++)
            {
                one[0] = batch[i];
                if (device.Transmit(one) == 0) batch[i].Release();
            }
            while (channel.TryTakeTransmitted(buffer, out _)) { }
        }

        for (int i = 0; i < 200; i++) Round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++) Round();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}

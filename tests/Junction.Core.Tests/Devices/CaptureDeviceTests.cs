using System.Diagnostics;
using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Tests.Devices;

public sealed class CaptureDeviceTests
{
    private static readonly MacAddress MacA = MacAddress.LocallyAdministered(1);
    private static readonly MacAddress MacB = MacAddress.LocallyAdministered(2);

    [Fact]
    public void Captures_transmitted_and_received_frames_to_a_file_with_clock_timestamps()
    {
        string path = Path.Combine(Path.GetTempPath(), $"junction-capture-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        try
        {
            var clock = new SimulatedTimeProvider(new Instant(1_500_000));
            var options = new VirtualPortOptions { FrameCount = 16, Faults = new FaultSettings { Delay = TimeSpan.FromMilliseconds(2) } };
            byte[] first = TestFrames.Create(MacB, MacA, 1), second = TestFrames.Create(MacB, MacA, 2, 300), reply = TestFrames.Create(MacA, MacB, 3, 60);
            using (var network = new VirtualSwitch(clock))
            {
                VirtualPort a = network.CreatePort(MacA, options), b = network.CreatePort(MacB, options);
                using var capture = new CaptureDevice(a, new PcapWriter(path), clock);

                Assert.Same(a.Pool, capture.Pool);
                Assert.Equal(a.MacAddress, capture.MacAddress);
                Assert.Equal(a.Mtu, capture.Mtu);
                Assert.Equal(a.Capabilities, capture.Capabilities);

                Assert.Equal(2, capture.Transmit([TestFrames.Rent(capture, MacB, 1), TestFrames.Rent(capture, MacB, 2, 300)]));
                TestFrames.AssertPoolFull(a.Pool);
                TestFrames.Send(b, MacA, 3, 60);
                clock.AdvanceTo(network.NextDeliveryTime);
                Assert.Equal(2, TestFrames.Drain(b).Count);
                Assert.Equal([reply], TestFrames.Drain(capture));
                Assert.Equal(3, capture.Writer.RecordCount);
            }

            List<PcapWriterTests.PcapRecord> records = PcapWriterTests.Parse(File.ReadAllBytes(path), 0xa1b2c3d4);
            Assert.Equal(3, records.Count);
            Assert.Equal([first, second, reply], records.Select(r => r.Data));
            Assert.Equal([(1u, 500_000u), (1u, 500_000u), (1u, 502_000u)], records.Select(r => (r.Seconds, r.Fraction)));
            Assert.Equal([100u, 300u, 60u], records.Select(r => r.OriginalLength));
            AssertTsharkReads(path, expectedPackets: 3);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Captures_only_the_frames_the_inner_device_accepted()
    {
        var clock = new SimulatedTimeProvider();
        var stream = new MemoryStream();
        var inner = new ChannelDevice(MacA, frameCount: 8, queueCapacity: 1);
        using (var capture = new CaptureDevice(inner, new PcapWriter(stream, leaveOpen: true), clock))
        {
            Frame kept = TestFrames.Rent(capture, MacB, 1), refused = TestFrames.Rent(capture, MacB, 2);

            Assert.Equal(1, capture.Transmit([kept, refused]));

            Assert.Equal(1, kept.Pool.GetRefCount(kept.Index));
            Assert.Equal(1, refused.Pool.GetRefCount(refused.Index));
            refused.Release();
            Assert.Equal(1, capture.Writer.RecordCount);
        }

        PcapWriterTests.PcapRecord record = Assert.Single(PcapWriterTests.Parse(stream.ToArray(), 0xa1b2c3d4));
        Assert.Equal(TestFrames.Create(MacB, MacA, 1), record.Data);
        TestFrames.AssertPoolFull(inner.Pool);
    }

    [Fact]
    public void Leave_open_keeps_the_inner_device_and_writer_usable()
    {
        var clock = new SimulatedTimeProvider();
        using var inner = new ChannelDevice(MacA, frameCount: 4);
        using var writer = new PcapWriter(new MemoryStream());
        new CaptureDevice(inner, writer, clock, leaveOpen: true).Dispose();

        Assert.True(inner.Inject(new byte[60]));
        writer.Write(Instant.Zero, [1]);
        Assert.Equal(1, writer.RecordCount);
    }

    [Fact]
    public void A_capture_waits_on_its_inner_devices_descriptor_and_cannot_wait_without_one()
    {
        using var realTime = VirtualSwitch.CreateRealTime();
        VirtualPort port = realTime.CreatePort(MacA);
        using var writer = new PcapWriter(new MemoryStream());
        using var waitable = new CaptureDevice(port, writer, TimeProvider.System, leaveOpen: true);
        Assert.Equal(port.WaitFileDescriptor, waitable.WaitFileDescriptor);
        Assert.True(waitable.PrepareToWait(out Instant arrival)); // nothing queued: the runtime may park on it
        Assert.Equal(Instant.Never, arrival);
        waitable.EndWait();

        using var channel = new ChannelDevice(MacB, frameCount: 4);
        using var polled = new CaptureDevice(channel, writer, TimeProvider.System, leaveOpen: true);
        Assert.Equal(-1, polled.WaitFileDescriptor);
        Assert.False(polled.PrepareToWait(out _));
    }

    /// <summary>When tshark is installed, checks that it reads the file; without it the parse above is the whole check.</summary>
    private static void AssertTsharkReads(string path, int expectedPackets)
    {
        string? tshark = FindOnPath("tshark");
        if (tshark is null) return;
        var start = new ProcessStartInfo(tshark, ["-r", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(expectedPackets, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static string? FindOnPath(string program)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}

using System.Buffers.Binary;
using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Tests.Devices;

/// <summary>Builds recognisable Ethernet frames and drives ports in simulated time.</summary>
internal static class TestFrames
{
    public const ushort ExperimentalEtherType = 0x88B5;

    /// <summary>Writes an Ethernet header and a payload that starts with <paramref name="sequence"/> and is otherwise a pattern derived from it.</summary>
    public static void Fill(Span<byte> frame, MacAddress destination, MacAddress source, int sequence)
    {
        destination.Write(frame);
        source.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], ExperimentalEtherType);
        BinaryPrimitives.WriteInt32BigEndian(frame[14..], sequence);
        for (int i = 18; i < frame.Length; i++) frame[i] = (byte)(i * 7 + sequence);
    }

    public static byte[] Create(MacAddress destination, MacAddress source, int sequence, int length = 100)
    {
        byte[] bytes = new byte[length];
        Fill(bytes, destination, source, sequence);
        return bytes;
    }

    /// <summary>Rents a frame from the device's pool and fills it.</summary>
    public static Frame Rent(INetDevice device, MacAddress destination, int sequence, int length = 100)
    {
        Assert.True(device.Pool.TryRent(out Frame frame));
        frame = frame.WithWindow(0, length);
        Fill(frame.Span, destination, device.MacAddress, sequence);
        return frame;
    }

    public static void Send(INetDevice device, MacAddress destination, int sequence, int length = 100)
    {
        Assert.Equal(1, device.Transmit([Rent(device, destination, sequence, length)]));
    }

    public static int SequenceOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[14..]);

    public static int SequenceOf(byte[] frame) => SequenceOf(frame.AsSpan());

    /// <summary>Receives everything due on <paramref name="device"/>, records it and releases the frames.</summary>
    public static List<byte[]> Drain(INetDevice device)
    {
        var received = new List<byte[]>();
        Span<Frame> batch = new Frame[16];
        int count;
        while ((count = device.Receive(batch)) > 0)
        {
            for (int i = 0; i < count; i++)
            {
                received.Add(batch[i].Span.ToArray());
                batch[i].Release();
            }
        }
        return received;
    }

    /// <summary>A frame that arrived, when it was received.</summary>
    public readonly record struct Arrival(Instant At, byte[] Bytes)
    {
        public int Sequence => SequenceOf(Bytes);
    }

    /// <summary>Jumps the clock from delivery to delivery until nothing is in flight, collecting what <paramref name="port"/> receives.</summary>
    public static void RunUntilIdle(SimulatedTimeProvider clock, VirtualSwitch network, VirtualPort port, List<Arrival> arrivals)
    {
        while (network.NextDeliveryTime != Instant.Never)
        {
            clock.AdvanceTo(network.NextDeliveryTime);
            foreach (byte[] bytes in Drain(port)) arrivals.Add(new Arrival(clock.Now, bytes));
            // Frames still due now are waiting on some other port: stop rather than spin.
            Assert.True(network.NextDeliveryTime > clock.Now, "frames arrived at a port the test does not drain");
        }
    }

    public static void AssertPoolFull(FramePool pool) => Assert.Equal(pool.FrameCount, pool.FreeCount);
}

using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Stack;
using Junction.Stack.Udp;
using Junction.Wire;

namespace Junction.Tests.Stack;

public sealed class TransmitBackPressureTests
{
    /// <summary>A device whose transmit queue takes at most <see cref="Budget"/> frames per call, like a full AF_XDP TX ring.</summary>
    private sealed class RefusingDevice(ChannelDevice inner) : INetDevice
    {
        public int Budget { get; set; }
        public MacAddress MacAddress => inner.MacAddress;
        public int Mtu => inner.Mtu;
        public DeviceCapabilities Capabilities => inner.Capabilities;
        public FramePool Pool => inner.Pool;
        public int Receive(Span<Frame> frames) => inner.Receive(frames);
        public int Transmit(ReadOnlySpan<Frame> frames) => inner.Transmit(frames[..Math.Min(Budget, frames.Length)]);
        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void Frames_the_device_refuses_are_kept_in_order_and_sent_on_a_later_poll_instead_of_dropped()
    {
        var channel = new ChannelDevice(MacAddress.LocallyAdministered(1));
        using var device = new RefusingDevice(channel) { Budget = 0 };
        var stack = new NetStack(device, new NetStackOptions { Address = new Ipv4Address(10, 0, 0, 1), Seed = 1 }, Instant.Zero);
        UdpSocket socket = stack.UdpBind(5000);
        for (byte i = 0; i < 3; i++) Assert.True(socket.SendTo([i], Ipv4Address.Broadcast, 6000));

        stack.Poll(Instant.Zero);
        Assert.Equal(0, channel.TransmittedCount);
        Assert.Equal(0, stack.Statistics.TransmitDrops);
        Assert.Equal(Instant.Zero, stack.NextDeadline); // the refused frames ask for another poll right away

        device.Budget = 1;
        stack.Poll(Instant.Zero);
        Assert.Equal(1, channel.TransmittedCount);
        device.Budget = int.MaxValue;
        stack.Poll(Instant.Zero);
        Assert.Equal(3, channel.TransmittedCount);
        Assert.Equal(Instant.Never, stack.NextDeadline);

        byte[] frame = new byte[2048];
        for (byte i = 0; i < 3; i++)
        {
            Assert.True(channel.TryTakeTransmitted(frame, out int length));
            Assert.Equal(i, frame[length - 1]); // the one-byte payload ends the frame: same order as sent
        }
        Assert.Equal(0, stack.Statistics.TransmitDrops);
        socket.Dispose();
        stack.Dispose();
        Assert.Equal(channel.Pool.FrameCount, channel.Pool.FreeCount);
    }

    [Fact]
    public void Frames_still_refused_when_the_stack_is_disposed_go_back_to_the_pool()
    {
        var channel = new ChannelDevice(MacAddress.LocallyAdministered(1));
        using var device = new RefusingDevice(channel) { Budget = 0 };
        var stack = new NetStack(device, new NetStackOptions { Address = new Ipv4Address(10, 0, 0, 1), Seed = 1 }, Instant.Zero);
        UdpSocket socket = stack.UdpBind(5000);
        socket.SendTo([1], Ipv4Address.Broadcast, 6000);
        stack.Poll(Instant.Zero);
        Assert.Equal(channel.Pool.FrameCount - 1, channel.Pool.FreeCount);

        socket.Dispose();
        stack.Dispose();
        Assert.Equal(0, channel.TransmittedCount);
        Assert.Equal(channel.Pool.FrameCount, channel.Pool.FreeCount);
    }
}

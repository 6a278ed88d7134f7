using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Tests.Devices;

public sealed class ChannelDeviceTests
{
    private static readonly MacAddress Local = MacAddress.LocallyAdministered(1);
    private static readonly MacAddress Peer = MacAddress.LocallyAdministered(2);

    [Fact]
    public void Injected_frames_come_out_of_receive_in_order_from_the_device_pool()
    {
        using var device = new ChannelDevice(Local, frameCount: 8);
        byte[] first = TestFrames.Create(Local, Peer, 1, 60), second = TestFrames.Create(Local, Peer, 2, 1514);

        Assert.True(device.Inject(first));
        Assert.True(device.Inject(second));
        Assert.Equal(2, device.PendingReceiveCount);

        Span<Frame> batch = new Frame[4];
        Assert.Equal(2, device.Receive(batch));
        Assert.Same(device.Pool, batch[0].Pool);
        Assert.Equal(first, batch[0].Span.ToArray());
        Assert.Equal(second, batch[1].Span.ToArray());
        Assert.Equal(0, device.Receive(batch));
        batch[0].Release();
        batch[1].Release();
        TestFrames.AssertPoolFull(device.Pool);
    }

    [Fact]
    public void Transmitted_frames_can_be_taken_in_order_and_their_pool_frames_return()
    {
        using var device = new ChannelDevice(Local, frameCount: 8);
        Frame a = TestFrames.Rent(device, Peer, 1, 64), b = TestFrames.Rent(device, Peer, 2, 200);

        Assert.Equal(2, device.Transmit([a, b]));
        Assert.Equal(2, device.TransmittedCount);

        byte[] buffer = new byte[2048];
        Assert.True(device.TryTakeTransmitted(buffer, out int length));
        Assert.Equal(TestFrames.Create(Peer, Local, 1, 64), buffer[..length]);
        Assert.True(device.TryTakeTransmitted(buffer, out length));
        Assert.Equal(TestFrames.Create(Peer, Local, 2, 200), buffer[..length]);
        Assert.False(device.TryTakeTransmitted(buffer, out length));
        Assert.Equal(0, length);
        Assert.Equal(0, device.TransmittedCount);
        TestFrames.AssertPoolFull(device.Pool);
    }

    [Fact]
    public void Taking_into_a_too_small_buffer_throws_and_keeps_the_frame()
    {
        using var device = new ChannelDevice(Local, frameCount: 4);
        device.Transmit([TestFrames.Rent(device, Peer, 1, 100)]);

        Assert.Throws<ArgumentException>(() => device.TryTakeTransmitted(new byte[99], out _));

        Assert.Equal(1, device.TransmittedCount);
        Assert.True(device.TryTakeTransmitted(new byte[100], out int length));
        Assert.Equal(100, length);
    }

    [Fact]
    public void Queues_are_bounded_and_the_caller_keeps_frames_the_device_refused()
    {
        using var device = new ChannelDevice(Local, frameCount: 8, queueCapacity: 2);
        Frame a = TestFrames.Rent(device, Peer, 1), b = TestFrames.Rent(device, Peer, 2), c = TestFrames.Rent(device, Peer, 3);

        Assert.Equal(2, device.Transmit([a, b, c]));
        Assert.Equal(1, c.Pool.GetRefCount(c.Index));
        c.Release();

        Assert.True(device.Inject(new byte[60]));
        Assert.True(device.Inject(new byte[60]));
        Assert.False(device.Inject(new byte[60]));
        Assert.False(new ChannelDevice(Local, frameSize: 256).Inject(new byte[257]));
    }

    [Fact]
    public void Inject_fails_when_the_pool_is_empty()
    {
        using var device = new ChannelDevice(Local, frameCount: 1);
        Assert.True(device.Inject(new byte[60]));
        Assert.False(device.Inject(new byte[60]));
    }

    [Fact]
    public void Disposing_releases_every_queued_frame()
    {
        var device = new ChannelDevice(Local, frameCount: 8);
        device.Inject(new byte[60]);
        device.Inject(new byte[60]);
        device.Transmit([TestFrames.Rent(device, Peer, 1)]);
        Assert.Equal(5, device.Pool.FreeCount);

        device.Dispose();

        TestFrames.AssertPoolFull(device.Pool);
        Assert.Throws<ObjectDisposedException>(() => device.Inject(new byte[60]));
    }

    [Fact]
    public void Receive_and_transmit_allocate_nothing()
    {
        using var device = new ChannelDevice(Local, frameCount: 8);
        byte[] packet = TestFrames.Create(Local, Peer, 1);
        var batch = new Frame[4];
        byte[] buffer = new byte[2048];
        RoundTrip(device, packet, batch, buffer);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) RoundTrip(device, packet, batch, buffer);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        TestFrames.AssertPoolFull(device.Pool);
    }

    private static void RoundTrip(ChannelDevice device, byte[] packet, Frame[] batch, byte[] buffer)
    {
        device.Inject(packet);
        device.Receive(batch);
        device.Transmit(batch.AsSpan(0, 1));
        device.TryTakeTransmitted(buffer, out _);
    }
}

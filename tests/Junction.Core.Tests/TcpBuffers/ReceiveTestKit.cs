using Junction.Devices;
using Junction.Stack.Tcp;

namespace Junction.Tests.TcpBuffers;

/// <summary>Builds payload frames the way a device would lend them to TCP, over a known byte stream.</summary>
internal static class ReceiveTestKit
{
    /// <summary>Where payload starts in a frame, as after Ethernet, IPv4 and TCP headers.</summary>
    public const int Headroom = 54;

    /// <summary>The byte at stream position <paramref name="position"/>.</summary>
    public static byte StreamByte(long position) => (byte)(position * 131 + (position >> 8) * 7 + 5);

    public static byte[] Stream(long start, int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = StreamByte(start + i);
        return bytes;
    }

    /// <summary>Rents a frame holding stream bytes [start, start+length) after the headroom.</summary>
    public static Frame Rent(FramePool pool, long start, int length, int headroom = Headroom)
    {
        Assert.True(pool.TryRent(out Frame frame));
        Span<byte> span = frame.Span;
        span.Fill(0xEE);
        for (int i = 0; i < length; i++) span[headroom + i] = StreamByte(start + i);
        return frame.WithWindow(headroom, length);
    }

    /// <summary>Lends stream bytes [start, start+length) to the buffer as one segment, then drops the test's own reference.</summary>
    public static int Deliver(TcpReceiveBuffer buffer, FramePool pool, long rcvNxt, long start, int length)
    {
        Frame frame = Rent(pool, start, length);
        int advanced = buffer.Insert(checked((int)(start - rcvNxt)), frame);
        frame.Release();
        return advanced;
    }

    public static byte[] ReadAll(TcpReceiveBuffer buffer)
    {
        var bytes = new byte[buffer.Available];
        Assert.Equal(bytes.Length, buffer.Read(bytes));
        return bytes;
    }

    /// <summary>Frames currently lent out of the pool.</summary>
    public static int InUse(FramePool pool) => pool.FrameCount - pool.FreeCount;
}

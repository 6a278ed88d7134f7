using Junction.Wire;

namespace Junction.Devices.Memory;

/// <summary>
/// A device whose other end is the test itself (like gVisor's channel endpoint): the test injects frames that the
/// stack then receives, and takes the frames the stack transmitted. For segment-level tests and scripted
/// (packetdrill-style) runs.
/// </summary>
/// <remarks>
/// Not thread-safe: the test and the stack it drives share one thread. Receive and Transmit allocate nothing.
/// </remarks>
public sealed class ChannelDevice : INetDevice
{
    private readonly FrameRing _inbound;
    private readonly FrameRing _transmitted;
    private bool _disposed;

    /// <summary>Creates a device with its own pool of <paramref name="frameCount"/> frames of <paramref name="frameSize"/> bytes.</summary>
    /// <param name="mac">The device's hardware address.</param>
    /// <param name="mtu">The largest IP packet the link carries.</param>
    /// <param name="frameCount">How many frames the device's pool holds.</param>
    /// <param name="frameSize">The size of each pool frame, a power of two.</param>
    /// <param name="queueCapacity">How many injected frames may wait for Receive, and how many transmitted frames may wait to be taken.</param>
    public ChannelDevice(MacAddress mac, int mtu = 1500, int frameCount = 256, int frameSize = 2048, int queueCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 68);
        MacAddress = mac;
        Mtu = mtu;
        Pool = new FramePool(frameCount, frameSize);
        _inbound = new FrameRing(queueCapacity);
        _transmitted = new FrameRing(queueCapacity);
    }

    /// <inheritdoc/>
    public MacAddress MacAddress { get; }

    /// <inheritdoc/>
    public int Mtu { get; }

    /// <summary>None: the stack computes and verifies every checksum.</summary>
    public DeviceCapabilities Capabilities => DeviceCapabilities.None;

    /// <inheritdoc/>
    public FramePool Pool { get; }

    /// <summary>Injected frames not yet received by the stack.</summary>
    public int PendingReceiveCount => _inbound.Count;

    /// <summary>Frames the stack transmitted that the test has not taken yet.</summary>
    public int TransmittedCount => _transmitted.Count;

    /// <summary>
    /// Copies <paramref name="frame"/> into a pool frame that the next <see cref="Receive"/> returns.
    /// </summary>
    /// <returns>False when the frame does not fit in a pool frame, the pool is empty or the receive queue is full.</returns>
    public bool Inject(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame.Length > Pool.FrameSize || _inbound.IsFull || !Pool.TryRent(out Frame lease)) return false;
        lease = lease.WithWindow(0, frame.Length);
        frame.CopyTo(lease.Span);
        _inbound.TryEnqueue(lease);
        return true;
    }

    /// <summary>
    /// Copies the oldest transmitted frame into <paramref name="destination"/> and releases its pool frame.
    /// </summary>
    /// <returns>False when nothing was transmitted.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the frame (the frame stays queued).</exception>
    public bool TryTakeTransmitted(Span<byte> destination, out int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_transmitted.TryPeek(out Frame frame))
        {
            length = 0;
            return false;
        }
        if (frame.Length > destination.Length)
            throw new ArgumentException($"The transmitted frame has {frame.Length} bytes; the destination holds {destination.Length}.", nameof(destination));
        frame.Span.CopyTo(destination);
        length = frame.Length;
        _transmitted.TryDequeue(out _);
        frame.Release();
        return true;
    }

    /// <summary>Takes up to <c>frames.Length</c> injected frames, oldest first.</summary>
    /// <inheritdoc/>
    public int Receive(Span<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int count = 0;
        while (count < frames.Length && _inbound.TryDequeue(out Frame frame)) frames[count++] = frame;
        return count;
    }

    /// <summary>Keeps frames for the test to take, as many as the transmit queue has room for.</summary>
    /// <inheritdoc/>
    public int Transmit(ReadOnlySpan<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int count = 0;
        while (count < frames.Length && _transmitted.TryEnqueue(frames[count])) count++;
        return count;
    }

    /// <summary>Releases every frame still queued in either direction and disposes the pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _inbound.ReleaseAll();
        _transmitted.ReleaseAll();
        Pool.Dispose();
    }
}

using Junction.Wire;

namespace Junction.Devices;

/// <summary>
/// Wraps any device and writes every frame it receives and every frame it accepts for transmission to a
/// <see cref="PcapWriter"/>, stamped with the time of a <see cref="TimeProvider"/>. Everything else passes through:
/// the same pool, address, MTU and capabilities.
/// </summary>
/// <remarks>
/// Transmitted frames are written after the inner device accepted them, holding an extra reference meanwhile, so
/// the capture shows exactly the frames that went out, as the stack wrote them. Not thread-safe, like the device it
/// wraps. Capturing allocates nothing beyond what the writer's stream does.
/// </remarks>
public sealed class CaptureDevice : INetDevice, IWaitableDevice
{
    private readonly INetDevice _inner;
    private readonly PcapWriter _writer;
    private readonly TimeProvider _clock;
    private readonly bool _leaveOpen;
    private bool _disposed;

    /// <summary>Captures the traffic of <paramref name="inner"/> to <paramref name="writer"/>.</summary>
    /// <param name="inner">The device to wrap.</param>
    /// <param name="writer">Where frames are written.</param>
    /// <param name="clock">The clock that stamps each frame.</param>
    /// <param name="leaveOpen">Whether disposing the capture leaves <paramref name="inner"/> and <paramref name="writer"/> undisposed.</param>
    public CaptureDevice(INetDevice inner, PcapWriter writer, TimeProvider clock, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(clock);
        _inner = inner;
        _writer = writer;
        _clock = clock;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The wrapped device.</summary>
    public INetDevice Inner => _inner;

    /// <summary>The writer frames go to.</summary>
    public PcapWriter Writer => _writer;

    /// <inheritdoc/>
    public MacAddress MacAddress => _inner.MacAddress;

    /// <inheritdoc/>
    public int Mtu => _inner.Mtu;

    /// <inheritdoc/>
    public DeviceCapabilities Capabilities => _inner.Capabilities;

    /// <inheritdoc/>
    public FramePool Pool => _inner.Pool;

    /// <summary>The wrapped device's descriptor when it is waitable (-1 otherwise), so a runtime can park on a capture.</summary>
    public int WaitFileDescriptor => _inner is IWaitableDevice waitable ? waitable.WaitFileDescriptor : -1;

    /// <inheritdoc/>
    public bool PrepareToWait(out Instant nextArrival)
    {
        if (_inner is IWaitableDevice waitable) return waitable.PrepareToWait(out nextArrival);
        nextArrival = Instant.Never;
        return false; // nothing to wait on: poll
    }

    /// <inheritdoc/>
    public void EndWait()
    {
        if (_inner is IWaitableDevice waitable) waitable.EndWait();
    }

    /// <inheritdoc/>
    public int Receive(Span<Frame> frames)
    {
        int count = _inner.Receive(frames);
        if (count > 0)
        {
            Instant now = Instant.Now(_clock);
            for (int i = 0; i < count; i++) _writer.Write(now, frames[i].Span);
        }
        return count;
    }

    /// <inheritdoc/>
    public int Transmit(ReadOnlySpan<Frame> frames)
    {
        // The inner device may release accepted frames before returning; the extra reference keeps their bytes.
        for (int i = 0; i < frames.Length; i++) frames[i].AddRef();
        int accepted;
        try
        {
            accepted = _inner.Transmit(frames);
            Instant now = Instant.Now(_clock);
            for (int i = 0; i < accepted; i++) _writer.Write(now, frames[i].Span);
        }
        finally
        {
            for (int i = 0; i < frames.Length; i++) frames[i].Release();
        }
        return accepted;
    }

    /// <summary>Disposes the writer (flushing it) and the wrapped device, unless they were to be left open.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_leaveOpen) return;
        _writer.Dispose();
        _inner.Dispose();
    }
}

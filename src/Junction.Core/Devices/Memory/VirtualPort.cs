using Junction.Wire;

namespace Junction.Devices.Memory;

/// <summary>
/// One port of a <see cref="VirtualSwitch"/>, seen by a stack as its NIC. Frames it transmits go through the
/// port's fault injector and the switch at once; frames for it wait in a delivery queue until the switch's
/// clock reaches their arrival time.
/// </summary>
/// <remarks>
/// On a switch made with the constructor, not thread-safe: one thread drives the switch and all its ports.
/// On a real-time switch (<see cref="VirtualSwitch.CreateRealTime"/>) each port may be driven by its own thread,
/// and <see cref="IWaitableDevice"/> lets that thread park until a frame arrives. Transmit, Receive and
/// forwarding allocate nothing.
/// </remarks>
public sealed class VirtualPort : INetDevice, IWaitableDevice
{
    private readonly VirtualSwitch _switch;
    private readonly DeliveryQueue _inbound;
    private readonly bool _ownsPool;
    private readonly object? _sync;
    private readonly Runtime.EventFd? _wake;
    private bool _waiting;
    private bool _disposed;

    internal VirtualPort(VirtualSwitch owner, MacAddress mac, VirtualPortOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Mtu, 68);
        _switch = owner;
        _sync = owner.SyncRoot;
        if (_sync is not null) _wake = new Runtime.EventFd();
        MacAddress = mac;
        Mtu = options.Mtu;
        FaultInjector = new FaultInjector(options.Faults);
        _inbound = new DeliveryQueue(options.QueueCapacity);
        if (options.Pool is { } shared)
        {
            Pool = shared;
        }
        else
        {
            Pool = new FramePool(options.FrameCount, options.FrameSize);
            _ownsPool = true;
        }
    }

    /// <inheritdoc/>
    public MacAddress MacAddress { get; }

    /// <inheritdoc/>
    public int Mtu { get; }

    /// <summary>None: the stack computes and verifies every checksum, as it must when faults corrupt frames.</summary>
    public DeviceCapabilities Capabilities => DeviceCapabilities.None;

    /// <inheritdoc/>
    public FramePool Pool { get; }

    /// <summary>The switch the port belongs to.</summary>
    public VirtualSwitch Switch => _switch;

    /// <summary>The impairments applied to frames this port transmits.</summary>
    public FaultSettings Faults => FaultInjector.Settings;

    /// <summary>This port's counters.</summary>
    public PortStatistics Statistics { get; } = new();

    /// <summary>How often each impairment was applied to frames this port transmitted.</summary>
    public FaultStatistics FaultStatistics => FaultInjector.Statistics;

    /// <summary>Frames on their way to this port, due or not.</summary>
    public int PendingCount => _inbound.Count;

    /// <summary>When the earliest frame on its way to this port arrives, or <see cref="Instant.Never"/>.</summary>
    public Instant NextDeliveryTime
    {
        get
        {
            if (_sync is null) return _inbound.NextDue;
            lock (_sync) return _inbound.NextDue;
        }
    }

    /// <summary>An eventfd on a real-time switch; -1 on a single-threaded one, where nothing waits.</summary>
    public int WaitFileDescriptor => _wake?.FileDescriptor ?? -1;

    /// <inheritdoc/>
    public bool PrepareToWait(out Instant nextArrival)
    {
        if (_sync is null) throw new InvalidOperationException("Only a port of a real-time switch (VirtualSwitch.CreateRealTime) can wake a waiting thread.");
        lock (_sync)
        {
            nextArrival = _inbound.NextDue;
            if (nextArrival <= Instant.Now(_switch.Clock)) return false;
            _waiting = true;
            return true;
        }
    }

    /// <inheritdoc/>
    public void EndWait()
    {
        if (_sync is null) return;
        lock (_sync) _waiting = false;
        _wake!.Drain();
    }

    /// <summary>Called by the switch, under its lock, after it queued a frame for this port.</summary>
    internal void WakeIfWaiting()
    {
        if (!_waiting) return;
        _waiting = false;
        _wake!.Signal();
    }

    internal FaultInjector FaultInjector { get; }

    internal DeliveryQueue Inbound => _inbound;

    /// <summary>Takes up to <c>frames.Length</c> frames whose arrival time has come, earliest first.</summary>
    /// <inheritdoc/>
    public int Receive(Span<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_sync is null) return ReceiveCore(frames);
        lock (_sync) return ReceiveCore(frames);
    }

    private int ReceiveCore(Span<Frame> frames)
    {
        Instant now = Instant.Now(_switch.Clock);
        int count = 0;
        while (count < frames.Length && _inbound.TryPopDue(now, out Frame frame))
        {
            frames[count++] = frame;
            Statistics.FramesReceived++;
            Statistics.BytesReceived += frame.Length;
        }
        return count;
    }

    /// <summary>
    /// Sends every frame through the fault injector and the switch now, and releases it; frames are copied into
    /// the destination ports' pools. Always accepts the whole batch: frames that cannot be delivered are counted
    /// and dropped, as on a real switch.
    /// </summary>
    /// <inheritdoc/>
    public int Transmit(ReadOnlySpan<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_sync is null) return TransmitCore(frames);
        lock (_sync) return TransmitCore(frames);
    }

    private int TransmitCore(ReadOnlySpan<Frame> frames)
    {
        Instant now = Instant.Now(_switch.Clock);
        for (int i = 0; i < frames.Length; i++)
        {
            Frame frame = frames[i];
            Statistics.FramesTransmitted++;
            Statistics.BytesTransmitted += frame.Length;
            _switch.Forward(this, frame, now);
        }
        return frames.Length;
    }

    /// <summary>Detaches the port from the switch, releases every frame still on its way to it and disposes its own pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_sync is null)
        {
            _inbound.ReleaseAll();
        }
        else
        {
            lock (_sync) _inbound.ReleaseAll();
        }
        _switch.Detach(this);
        _wake?.Dispose();
        if (_ownsPool) Pool.Dispose();
    }
}

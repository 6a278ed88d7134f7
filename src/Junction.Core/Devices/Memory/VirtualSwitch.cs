using Junction.Wire;

namespace Junction.Devices.Memory;

/// <summary>
/// An in-process learning Ethernet switch. It learns which port each source address lives behind, forwards
/// unicast frames to that port and floods broadcast, multicast and unknown destinations to every port but the
/// one the frame came in on. Crossing the switch copies a frame into the destination port's pool (the "wire");
/// each port's <see cref="FaultSettings"/> delay, drop, duplicate, reorder or corrupt what it sends.
/// </summary>
/// <remarks>
/// Time comes from the <see cref="TimeProvider"/> given at construction: <see cref="TimeProvider.System"/> for real
/// runs, a <see cref="SimulatedTimeProvider"/> for deterministic tests, which a driver moves straight to
/// <see cref="NextDeliveryTime"/>. A switch made with the constructor is not thread-safe: one thread drives the
/// switch and all its ports, and nothing locks. A switch made with <see cref="CreateRealTime"/> lets each port be
/// driven by its own thread: the switch takes a lock around forwarding and receiving (it is a development device,
/// not the production data path), the ports' pools become thread-safe, and each port signals an eventfd
/// (<see cref="IWaitableDevice"/>) when a frame reaches it while its owner waits.
/// </remarks>
public sealed class VirtualSwitch : IDisposable
{
    private const int EthernetHeaderLength = 14;
    private readonly List<VirtualPort> _ports = [];
    // Sized so learning a lab's addresses never grows it; only a new address beyond that allocates.
    private readonly Dictionary<ulong, VirtualPort> _macTable = new(capacity: 256);
    private long _sequence;
    private bool _disposed;

    /// <summary>Creates a switch with no ports, driven by <paramref name="clock"/> on one thread.</summary>
    public VirtualSwitch(TimeProvider clock)
        : this(clock, realTime: false)
    {
    }

    private VirtualSwitch(TimeProvider clock, bool realTime)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Clock = clock;
        if (realTime) SyncRoot = new object();
    }

    /// <summary>
    /// Creates a switch whose ports may be driven from different threads at once, in real time (each port can wake
    /// a parked thread through <see cref="IWaitableDevice"/>).
    /// </summary>
    /// <param name="clock">The clock for arrival times; <see cref="TimeProvider.System"/> when null.</param>
    public static VirtualSwitch CreateRealTime(TimeProvider? clock = null) => new(clock ?? TimeProvider.System, realTime: true);

    /// <summary>Whether ports may be driven from several threads (<see cref="CreateRealTime"/>).</summary>
    public bool IsRealTime => SyncRoot is not null;

    /// <summary>The lock of a real-time switch; null for a single-threaded one.</summary>
    internal object? SyncRoot { get; }

    /// <summary>The clock that decides when frames arrive.</summary>
    public TimeProvider Clock { get; }

    /// <summary>The switch's counters.</summary>
    public SwitchStatistics Statistics { get; } = new();

    /// <summary>The ports currently attached, in creation order.</summary>
    public IReadOnlyList<VirtualPort> Ports => _ports;

    /// <summary>When the earliest frame still in flight to any port arrives, or <see cref="Instant.Never"/>.</summary>
    public Instant NextDeliveryTime
    {
        get
        {
            if (SyncRoot is null) return ComputeNextDeliveryTime();
            lock (SyncRoot) return ComputeNextDeliveryTime();
        }
    }

    private Instant ComputeNextDeliveryTime()
    {
        Instant next = Instant.Never;
        for (int i = 0; i < _ports.Count; i++) next = Instant.Min(next, _ports[i].Inbound.NextDue);
        return next;
    }

    /// <summary>Attaches a new port with hardware address <paramref name="mac"/>.</summary>
    public VirtualPort CreatePort(MacAddress mac, VirtualPortOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var port = new VirtualPort(this, mac, options ?? new VirtualPortOptions());
        if (SyncRoot is null)
        {
            _ports.Add(port);
            return port;
        }
        port.Pool.MakeThreadSafe();
        lock (SyncRoot) _ports.Add(port);
        return port;
    }

    /// <summary>Which port the switch has learned <paramref name="mac"/> behind, if any.</summary>
    public VirtualPort? Lookup(MacAddress mac)
    {
        if (SyncRoot is null) return LookupCore(mac);
        lock (SyncRoot) return LookupCore(mac);
    }

    private VirtualPort? LookupCore(MacAddress mac) => _macTable.TryGetValue(mac.Value, out VirtualPort? port) ? port : null;

    /// <summary>Sends one frame transmitted by <paramref name="ingress"/> at <paramref name="now"/> on its way, then releases it.</summary>
    internal void Forward(VirtualPort ingress, Frame frame, Instant now)
    {
        ReadOnlySpan<byte> bytes = frame.Span;
        if (bytes.Length < EthernetHeaderLength || bytes.Length > ingress.Mtu + EthernetHeaderLength)
        {
            ingress.Statistics.DroppedMalformed++;
            Statistics.DroppedMalformed++;
            frame.Release();
            return;
        }

        var destination = MacAddress.Read(bytes);
        var source = MacAddress.Read(bytes.Slice(6, 6));
        int copies = ingress.FaultInjector.Decide(bytes.Length, out int corruptOffset, out byte corruptMask);
        if (copies == 0)
        {
            // Lost on the cable: the switch never saw it, so it learns nothing from it either.
            Statistics.DroppedLost++;
            frame.Release();
            return;
        }
        if (!source.IsMulticast) _macTable[source.Value] = ingress;

        for (int copy = 0; copy < copies; copy++)
        {
            Instant due = ingress.FaultInjector.Schedule(now, bytes.Length);
            if (!destination.IsMulticast && _macTable.TryGetValue(destination.Value, out VirtualPort? egress))
            {
                if (ReferenceEquals(egress, ingress))
                {
                    Statistics.Filtered++;
                    continue;
                }
                Statistics.Forwarded++;
                Deliver(egress, bytes, due, corruptOffset, corruptMask);
            }
            else
            {
                Statistics.Flooded++;
                for (int i = 0; i < _ports.Count; i++)
                {
                    VirtualPort port = _ports[i];
                    if (!ReferenceEquals(port, ingress)) Deliver(port, bytes, due, corruptOffset, corruptMask);
                }
            }
        }
        frame.Release();
    }

    internal void Detach(VirtualPort port)
    {
        if (SyncRoot is null) DetachCore(port);
        else lock (SyncRoot) DetachCore(port);
    }

    private void DetachCore(VirtualPort port)
    {
        _ports.Remove(port);
        // Removing while enumerating is allowed for Dictionary; this runs at teardown, not per packet.
        foreach (KeyValuePair<ulong, VirtualPort> entry in _macTable)
        {
            if (ReferenceEquals(entry.Value, port)) _macTable.Remove(entry.Key);
        }
    }

    private void Deliver(VirtualPort port, ReadOnlySpan<byte> bytes, Instant due, int corruptOffset, byte corruptMask)
    {
        if (port.Inbound.IsFull)
        {
            port.Statistics.DroppedQueueFull++;
            Statistics.DroppedQueueFull++;
            return;
        }
        if (bytes.Length > port.Pool.FrameSize)
        {
            port.Statistics.DroppedOversize++;
            Statistics.DroppedOversize++;
            return;
        }
        if (!port.Pool.TryRent(out Frame copy))
        {
            port.Statistics.DroppedNoFrame++;
            Statistics.DroppedNoFrame++;
            return;
        }
        copy = copy.WithWindow(0, bytes.Length);
        Span<byte> target = copy.Span;
        bytes.CopyTo(target);
        if (corruptOffset >= 0) target[corruptOffset] ^= corruptMask;
        port.Inbound.Push(due, _sequence++, copy);
        port.Statistics.FramesDelivered++;
        if (SyncRoot is not null) port.WakeIfWaiting();
    }

    /// <summary>Disposes every port, which gives back every frame still in flight.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int i = _ports.Count - 1; i >= 0; i--) _ports[i].Dispose();
    }
}

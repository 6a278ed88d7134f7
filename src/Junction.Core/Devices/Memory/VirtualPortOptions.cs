namespace Junction.Devices.Memory;

/// <summary>How <see cref="VirtualSwitch.CreatePort"/> sets up a port.</summary>
public sealed record VirtualPortOptions
{
    /// <summary>The largest IP packet the port carries (Ethernet payload); longer frames it transmits are dropped.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>How many frames the port's own pool holds (ignored when <see cref="Pool"/> is set).</summary>
    public int FrameCount { get; init; } = 4096;

    /// <summary>The size of each frame of the port's own pool, a power of two (ignored when <see cref="Pool"/> is set).</summary>
    public int FrameSize { get; init; } = 2048;

    /// <summary>How many frames may wait for delivery to the port; the switch drops frames beyond that.</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>Impairments applied to the frames the port transmits.</summary>
    public FaultSettings Faults { get; init; } = FaultSettings.None;

    /// <summary>
    /// A pool to share with other ports (many instances drawing from one block of memory). The port does not
    /// dispose a shared pool; when null the port creates its own pool and disposes it with the port.
    /// </summary>
    public FramePool? Pool { get; init; }
}

namespace Junction.Devices.Xdp;

/// <summary>What one <see cref="XdpDevice"/> did, counted on its packet path (no atomics: one thread drives a device).</summary>
public sealed class XdpDeviceStatistics
{
    /// <summary>Frames taken from the RX ring.</summary>
    public long FramesReceived { get; internal set; }

    /// <summary>Frames placed on the TX ring.</summary>
    public long FramesTransmitted { get; internal set; }

    /// <summary>Frames from another pool copied into the UMEM before transmit.</summary>
    public long FramesCopiedForTransmit { get; internal set; }

    /// <summary>Frames refused on transmit because they were shorter than an Ethernet header, longer than the link allows or outside their frame (released, counted as accepted).</summary>
    public long FramesDroppedInvalid { get; internal set; }

    /// <summary>sendto calls that woke the kernel to transmit.</summary>
    public long TransmitKicks { get; internal set; }

    /// <summary>Kicks the kernel answered with EAGAIN, EBUSY or ENOBUFS (more queued than one kick sends; retried later).</summary>
    public long TransmitKickRetries { get; internal set; }

    /// <summary>Kicks that failed otherwise (e.g. ENETDOWN: the interface went down).</summary>
    public long TransmitKickErrors { get; internal set; }

    /// <summary>recvfrom calls that woke the driver to fill its receive queue (need_wakeup on the fill ring).</summary>
    public long FillWakeups { get; internal set; }
}

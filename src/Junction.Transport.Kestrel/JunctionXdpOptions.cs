using Junction.Devices.Xdp;

namespace Junction.Transport.Kestrel;

/// <summary>Where and how the transport opens AF_XDP when <see cref="JunctionTransportOptions.Device"/> is <see cref="JunctionDevice.Xdp"/>.</summary>
public sealed class JunctionXdpOptions
{
    /// <summary>The network interface, e.g. "eth0" (required).</summary>
    public string? InterfaceName { get; set; }

    /// <summary>The NIC queue to bind (the NIC must steer the stack's traffic to it, e.g. with one queue or an ntuple rule).</summary>
    public int QueueId { get; set; }

    /// <summary>A network namespace file (e.g. /var/run/netns/lab) holding the interface; null for the process's own.</summary>
    public string? NetworkNamespace { get; set; }

    /// <summary>Where to run the XDP program: Auto tries native (driver) mode first, then generic.</summary>
    public XdpAttachMode AttachMode { get; set; } = XdpAttachMode.Auto;

    /// <summary>Whether to try zero-copy: Auto tries it first and falls back to copy mode.</summary>
    public XdpCopyMode CopyMode { get; set; } = XdpCopyMode.Auto;

    /// <summary>Frames in the queue's UMEM.</summary>
    public int FrameCount { get; set; } = 4096;

    /// <summary>Try to back the UMEM with 2 MiB huge pages (falls back to normal pages when none are reserved).</summary>
    public bool UseHugePages { get; set; } = true;
}

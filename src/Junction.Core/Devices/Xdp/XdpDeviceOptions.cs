using Junction.Wire;

namespace Junction.Devices.Xdp;

/// <summary>
/// How to open AF_XDP on an interface: which interface and queue, the UMEM and ring sizes, the mode to try first,
/// and the IPv4 addresses whose frames (IPv4 to them, ARP asking for them) the XDP program steers to the device.
/// </summary>
public sealed class XdpDeviceOptions
{
    /// <summary>The network interface, e.g. "eth0".</summary>
    public string InterfaceName { get; set; } = "";

    /// <summary>
    /// A network namespace file (e.g. /var/run/netns/lab) to find the interface in; null for the process's own namespace.
    /// Sockets are created and the program attached from a short-lived thread that entered it (setns is per thread).
    /// </summary>
    public string? NetworkNamespace { get; set; }

    /// <summary>The NIC queue to bind (<see cref="XdpDevice.Open"/>; ports name theirs).</summary>
    public int QueueId { get; set; }

    /// <summary>The addresses <see cref="XdpDevice.Open"/> steers to its device.</summary>
    public IList<Ipv4Address> Addresses { get; private set; } = [];

    /// <summary>Frames in each queue's UMEM (shared by every device on the queue).</summary>
    public int FrameCount { get; set; } = 4096;

    /// <summary>Bytes per frame: 2048 or 4096 (the kernel keeps 256 bytes of headroom in front of received frames).</summary>
    public int FrameSize { get; set; } = 2048;

    /// <summary>Entries in each queue's fill ring (a power of two).</summary>
    public int FillRingSize { get; set; } = 2048;

    /// <summary>Entries in each queue's completion ring (a power of two).</summary>
    public int CompletionRingSize { get; set; } = 2048;

    /// <summary>Entries in each device's RX ring (a power of two).</summary>
    public int RxRingSize { get; set; } = 512;

    /// <summary>Entries in each device's TX ring (a power of two).</summary>
    public int TxRingSize { get; set; } = 512;

    /// <summary>The fill ring is topped up once at least this many entries are free (and completions reclaimed in batches this size).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Frames the fill ring never takes, so that transmit can always rent some.</summary>
    public int TransmitReserve { get; set; } = 512;

    /// <summary>Where to run the XDP program.</summary>
    public XdpAttachMode AttachMode { get; set; } = XdpAttachMode.Auto;

    /// <summary>Whether to try zero-copy.</summary>
    public XdpCopyMode CopyMode { get; set; } = XdpCopyMode.Auto;

    /// <summary>How many (address, queue) steering entries and sockets the interface's maps hold.</summary>
    public int MaxSockets { get; set; } = 4096;

    /// <summary>Try to back the UMEM with 2 MiB huge pages (falls back to normal pages when none are reserved).</summary>
    public bool UseHugePages { get; set; } = true;

    /// <summary>Receives one line per set-up decision worth knowing (a mode fallback and why, huge pages unavailable).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>A copy, so that changing these options after opening changes nothing.</summary>
    internal XdpDeviceOptions Clone()
    {
        var copy = (XdpDeviceOptions)MemberwiseClone();
        copy.Addresses = [.. Addresses];
        return copy;
    }

    internal void Validate()
    {
        if (string.IsNullOrEmpty(InterfaceName)) throw new ArgumentException("Name the interface to open (InterfaceName).", nameof(InterfaceName));
        if (InterfaceName.Length > 15) throw new ArgumentException($"Interface names have at most 15 characters; '{InterfaceName}' has {InterfaceName.Length}.", nameof(InterfaceName));
        ArgumentOutOfRangeException.ThrowIfNegative(QueueId, nameof(QueueId));
        if (FrameSize is not (2048 or 4096)) throw new ArgumentException("FrameSize must be 2048 or 4096 (an aligned UMEM chunk between 2 KiB and a page).", nameof(FrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(FrameCount, 64, nameof(FrameCount));
        RequirePowerOfTwo(FillRingSize, nameof(FillRingSize));
        RequirePowerOfTwo(CompletionRingSize, nameof(CompletionRingSize));
        RequirePowerOfTwo(RxRingSize, nameof(RxRingSize));
        RequirePowerOfTwo(TxRingSize, nameof(TxRingSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(TransmitReserve, nameof(TransmitReserve));
        if (TransmitReserve >= FrameCount) throw new ArgumentException("TransmitReserve must leave frames for the fill ring.", nameof(TransmitReserve));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSockets, 1, nameof(MaxSockets));
    }

    private static void RequirePowerOfTwo(int value, string name)
    {
        if (value < 1 || !int.IsPow2(value)) throw new ArgumentException($"{name} must be a power of two; it is {value}.", name);
    }
}

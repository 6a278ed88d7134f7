namespace Junction.Devices.Verbs;

/// <summary>What verbs discovery found: a usable port, or the first thing that stood in the way.</summary>
public enum VerbsDiscoveryStatus
{
    /// <summary>An mlx5 device with an active Ethernet port that grants raw packet queues.</summary>
    Available,

    /// <summary>libibverbs is not installed.</summary>
    LibraryMissing,

    /// <summary>The kernel has no RDMA verbs support (<c>ibv_get_device_list</c> fails with ENOSYS).</summary>
    KernelUnsupported,

    /// <summary>The kernel supports verbs but no RDMA device exists.</summary>
    NoDevice,

    /// <summary>RDMA devices exist, but none is an mlx5 or MANA NIC (or the named one is absent).</summary>
    NoSupportedDevice,

    /// <summary>A MANA NIC was found; its datapath needs its own WQE format, which is not implemented.</summary>
    ManaNotSupported,

    /// <summary>The process may not open the device file under <c>/dev/infiniband</c>.</summary>
    PermissionDenied,

    /// <summary>The port's link layer is InfiniBand, not Ethernet.</summary>
    PortNotEthernet,

    /// <summary>The port exists but its link is not up.</summary>
    PortDown,

    /// <summary>Creating a RAW_PACKET queue pair was refused: the process lacks CAP_NET_RAW.</summary>
    RawPacketNotPermitted,

    /// <summary>Any other failure of a verbs call during discovery.</summary>
    Failed,
}

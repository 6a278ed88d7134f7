namespace Junction.Devices;

/// <summary>The NIC datapaths Junction can drive.</summary>
public enum DeviceKind
{
    /// <summary>rdma-core (verbs) queues on an mlx5 NIC, driven from user space.</summary>
    Verbs,

    /// <summary>AF_XDP sockets on any Linux NIC with an XDP driver (or generic XDP).</summary>
    AfXdp,
}

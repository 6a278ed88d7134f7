using Junction.Wire;

namespace Junction.Devices.Verbs;

/// <summary>How to open an <see cref="Mlx5Device"/>.</summary>
public sealed class Mlx5DeviceOptions
{
    /// <summary>The RDMA device (e.g. <c>mlx5_0</c>); null takes the first mlx5 device.</summary>
    public string? DeviceName { get; init; }

    /// <summary>The port, 1-based.</summary>
    public byte Port { get; init; } = 1;

    /// <summary>The port's MAC address: frames to it (and ARP broadcasts) are steered to this device's queue.</summary>
    public required MacAddress MacAddress { get; init; }

    /// <summary>When set, only IPv4 packets to this address (plus ARP) are steered here, so instances can share a port.</summary>
    public Ipv4Address? Ipv4Address { get; init; }

    /// <summary>The IP MTU.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>Send ring size in WQEs (a power of two).</summary>
    public int SendQueueSize { get; init; } = 1024;

    /// <summary>Receive ring size in WQEs (a power of two).</summary>
    public int ReceiveQueueSize { get; init; } = 256;

    /// <summary>Use multi-packet (striding) receive WQEs when the device offers them.</summary>
    public bool UseStridingReceive { get; init; } = true;

    /// <summary>Strides (frames) per striding WQE, a power of two within the device's limits.</summary>
    public int StridesPerWqe { get; init; } = 64;

    /// <summary>Striding blocks to keep: more than the ring holds, so used-up blocks can wait for lent frames.</summary>
    public int StridingBlocks { get; init; } = 16;
}

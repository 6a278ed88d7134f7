namespace Junction.Transport.Kestrel;

/// <summary>What carries the frames of the transport's network stack.</summary>
public enum JunctionDevice
{
    /// <summary>
    /// A port on an in-process <see cref="Devices.Memory.VirtualSwitch"/> (<see cref="JunctionTransportOptions.Switch"/>):
    /// clients are other Junction instances on the same switch, e.g. an <see cref="HttpClient"/> from
    /// <see cref="Sockets.JunctionNetwork.CreateHttpClient"/>. Needs no privileges.
    /// </summary>
    VirtualSwitch,

    /// <summary>
    /// AF_XDP on a network interface queue (<see cref="JunctionTransportOptions.Xdp"/>): frames to the stack's address
    /// bypass the kernel. Needs CAP_NET_ADMIN, CAP_BPF and CAP_NET_RAW (or root).
    /// </summary>
    Xdp,
}

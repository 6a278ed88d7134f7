using Junction.Wire;

namespace Junction.Lab;

/// <summary>How <see cref="JunctionLab.Create"/> builds the two namespaces and the veth pair between them.</summary>
public sealed record LabOptions
{
    /// <summary>A 1500-byte MTU, one queue pair, 10.77.0.0/24, Linux transmit checksums computed in software.</summary>
    public static LabOptions Default { get; } = new();

    /// <summary>The MTU of both veth ends.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>How many transmit and receive queues each veth end has (AF_XDP binds one socket per queue).</summary>
    public int QueueCount { get; init; } = 1;

    /// <summary>
    /// The /24 network of the link; only its first three bytes count. Each lab has its own namespaces, so labs
    /// running at the same time may use the same network.
    /// </summary>
    public Ipv4Address Network { get; init; } = new(10, 77, 0, 0);

    /// <summary>
    /// Whether the server namespace's kernel gets an address of its own (<see cref="JunctionLab.ServerHostAddress"/>),
    /// for Linux-to-Linux comparisons over the same link. It never gets a Junction address.
    /// </summary>
    public bool AssignServerHostAddress { get; init; } = true;

    /// <summary>
    /// Whether transmit checksum offload is switched off on both veth ends (<c>ethtool -K IF tx off</c>). Left on,
    /// frames a Linux socket sends through a veth carry only a pseudo-header checksum, which a real NIC would have
    /// completed; a user-space stack reading them raw would count them as corrupt.
    /// </summary>
    public bool DisableTxChecksumOffload { get; init; } = true;

    /// <summary>
    /// Null (the default) for a lab that lives as long as its <see cref="JunctionLab"/> object; a name (1 to
    /// <see cref="JunctionLab.MaxNameLength"/> lower-case letters and digits) for a persistent lab that outlives the
    /// process, is found again with <see cref="JunctionLab.Open"/> and deleted with <see cref="JunctionLab.Remove"/>.
    /// </summary>
    public string? Name { get; init; }
}

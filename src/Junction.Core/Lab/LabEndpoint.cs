using Junction.Wire;

namespace Junction.Lab;

/// <summary>One side of a <see cref="JunctionLab"/>: its namespace and its end of the veth pair.</summary>
/// <param name="Side">Which side this is.</param>
/// <param name="Namespace">The network namespace's name (as <c>ip netns list</c> shows it).</param>
/// <param name="Interface">The veth end's name inside that namespace.</param>
/// <param name="InterfaceIndex">The veth end's ifindex inside that namespace (what XDP attach and XSK bind take).</param>
/// <param name="MacAddress">The veth end's hardware address.</param>
/// <param name="HostAddress">The address the namespace's kernel owns on the link, if any.</param>
public sealed record LabEndpoint(
    LabSide Side,
    string Namespace,
    string Interface,
    int InterfaceIndex,
    MacAddress MacAddress,
    Ipv4Address? HostAddress);

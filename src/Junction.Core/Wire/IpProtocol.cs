namespace Junction.Wire;

/// <summary>IPv4 protocol numbers (IANA) the stack dispatches on.</summary>
internal static class IpProtocol
{
    /// <summary>Internet Control Message Protocol.</summary>
    public const byte Icmp = 1;
    /// <summary>Transmission Control Protocol.</summary>
    public const byte Tcp = 6;
    /// <summary>User Datagram Protocol.</summary>
    public const byte Udp = 17;
}

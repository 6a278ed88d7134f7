namespace Junction.Wire;

/// <summary>EtherType values (IEEE 802.3) the stack dispatches on.</summary>
internal static class EtherType
{
    /// <summary>Internet Protocol version 4.</summary>
    public const ushort Ipv4 = 0x0800;
    /// <summary>Address Resolution Protocol.</summary>
    public const ushort Arp = 0x0806;
    /// <summary>Internet Protocol version 6 (recognised, not handled).</summary>
    public const ushort Ipv6 = 0x86DD;
}

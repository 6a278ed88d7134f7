namespace Junction.Wire;

/// <summary>The meaning of an Ethernet/IPv4 ARP packet.</summary>
internal struct ArpRepr
{
    /// <summary>Request or reply (any other opcode is kept as its number).</summary>
    public ArpOperation Operation;
    /// <summary>The sender's hardware address.</summary>
    public MacAddress SenderMac;
    /// <summary>The sender's protocol address.</summary>
    public Ipv4Address SenderIp;
    /// <summary>The target's hardware address (zero in a request).</summary>
    public MacAddress TargetMac;
    /// <summary>The target's protocol address.</summary>
    public Ipv4Address TargetIp;
}

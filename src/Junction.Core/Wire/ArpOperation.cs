namespace Junction.Wire;

/// <summary>ARP opcodes (RFC 826).</summary>
internal enum ArpOperation : ushort
{
    /// <summary>Who has TargetIp? Tell SenderIp.</summary>
    Request = 1,
    /// <summary>SenderIp is at SenderMac.</summary>
    Reply = 2,
}

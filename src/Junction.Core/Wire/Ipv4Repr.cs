namespace Junction.Wire;

/// <summary>The meaning of an IPv4 header (options are skipped on parse and never emitted).</summary>
internal struct Ipv4Repr
{
    /// <summary>Source address.</summary>
    public Ipv4Address Source;
    /// <summary>Destination address.</summary>
    public Ipv4Address Destination;
    /// <summary>Payload protocol (see <see cref="IpProtocol"/>).</summary>
    public byte Protocol;
    /// <summary>Time to live.</summary>
    public byte Ttl;
    /// <summary>Bytes of payload after the header, from the total length field.</summary>
    public int PayloadLength;
    /// <summary>Identification field.</summary>
    public ushort Identification;
    /// <summary>Don't Fragment flag.</summary>
    public bool DontFragment;
    /// <summary>Type of service byte (DSCP and ECN).</summary>
    public byte Tos;
}

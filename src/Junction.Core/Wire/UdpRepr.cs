namespace Junction.Wire;

/// <summary>The meaning of a UDP header.</summary>
internal struct UdpRepr
{
    /// <summary>The sender's port.</summary>
    public ushort SourcePort;
    /// <summary>The receiver's port.</summary>
    public ushort DestinationPort;
    /// <summary>Bytes of payload after the 8-byte header, from the length field.</summary>
    public int PayloadLength;
}

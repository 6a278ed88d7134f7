namespace Junction.Wire;

/// <summary>
/// The meaning of a TCP header, parsed out of (or to be emitted into) the bytes on the wire by
/// the TCP wire view. Options that are absent have their Has* flag clear.
/// </summary>
internal struct TcpRepr
{
    /// <summary>The sender's port.</summary>
    public ushort SourcePort;
    /// <summary>The receiver's port.</summary>
    public ushort DestinationPort;
    /// <summary>The sequence number of the first byte (or of the SYN/FIN).</summary>
    public TcpSeq SequenceNumber;
    /// <summary>The next sequence number the sender expects, when <see cref="TcpFlags.Ack"/> is set.</summary>
    public TcpSeq AckNumber;
    /// <summary>Control bits.</summary>
    public TcpFlags Flags;
    /// <summary>The window field as sent (not scaled).</summary>
    public ushort Window;
    /// <summary>The urgent pointer (kept for round-trips; the stack does not implement urgent data).</summary>
    public ushort UrgentPointer;

    /// <summary>Maximum segment size option (kind 2), when <see cref="HasMss"/>.</summary>
    public ushort Mss;
    /// <summary>Whether the MSS option is present.</summary>
    public bool HasMss;
    /// <summary>Window scale shift count (kind 3), when <see cref="HasWindowScale"/>; parsing clamps it to 14 (RFC 7323 2.3).</summary>
    public byte WindowScale;
    /// <summary>Whether the window scale option is present.</summary>
    public bool HasWindowScale;
    /// <summary>SACK-permitted option (kind 4).</summary>
    public bool SackPermitted;
    /// <summary>Whether the timestamps option (kind 8) is present.</summary>
    public bool HasTimestamp;
    /// <summary>Timestamp value (TSval).</summary>
    public uint TsVal;
    /// <summary>Timestamp echo reply (TSecr).</summary>
    public uint TsEcr;
    /// <summary>SACK blocks (kind 5); the first <see cref="SackCount"/> are valid.</summary>
    public SackBlockArray SackBlocks;
    /// <summary>How many SACK blocks are present (0 to 4).</summary>
    public int SackCount;

    /// <summary>Whether every bit in <paramref name="flags"/> is set.</summary>
    public readonly bool Has(TcpFlags flags) => (Flags & flags) == flags;

    /// <summary>Sequence space the segment occupies: payload plus one each for SYN and FIN.</summary>
    public readonly int SegmentLength(int payloadLength) =>
        payloadLength + ((Flags & TcpFlags.Syn) != 0 ? 1 : 0) + ((Flags & TcpFlags.Fin) != 0 ? 1 : 0);
}

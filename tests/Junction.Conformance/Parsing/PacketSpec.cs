namespace Junction.Conformance.Parsing;

/// <summary>Whether the scripted peer sends the packet (<c>&lt;</c>) or the stack under test must (<c>&gt;</c>).</summary>
internal enum PacketDirection
{
    Inbound,
    Outbound,
}

/// <summary>The IP-level ECN codepoint a script asks for (<c>[ect0]</c>, <c>(ce)</c>...).</summary>
internal enum EcnSpec
{
    Unspecified,
    NotEct,
    Ect0,
    Ect1,
    Ce,
    /// <summary><c>ect01</c>: either ECT codepoint (outbound only).</summary>
    Ect01,
}

/// <summary>The optional IP details in parentheses or brackets after the direction.</summary>
internal sealed record IpInfo(EcnSpec Ecn, int? Tos, int? Ttl, int? FlowLabel)
{
    public static IpInfo None { get; } = new(EcnSpec.Unspecified, null, null, null);

    public bool IsNone => Ecn == EcnSpec.Unspecified && Tos is null && Ttl is null && FlowLabel is null;
}

/// <summary>A packet line.</summary>
internal abstract record PacketSpec(PacketDirection Direction, IpInfo Ip);

/// <summary>TCP control bits in header order; <see cref="Ae"/> is the AccECN bit above the classic eight.</summary>
[Flags]
internal enum SegmentFlags
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
    Ae = 0x100,
}

/// <summary>
/// A TCP segment: flags, <c>start:end(length)</c>, optional <c>ack</c>, <c>win</c>, <c>urg</c> and options.
/// Sequence and acknowledgment numbers are relative to the initial sequence numbers, as packetdrill writes them.
/// </summary>
internal sealed record TcpPacketSpec(
    PacketDirection Direction,
    IpInfo Ip,
    int? SourcePort,
    int? DestinationPort,
    string FlagsText,
    SegmentFlags Flags,
    uint StartSequence,
    int PayloadLength,
    uint AckNumber,
    int? Window,
    int UrgentPointer,
    IReadOnlyList<TcpOptionSpec>? Options) : PacketSpec(Direction, Ip)
{
    /// <summary>Whether the options are written <c>&lt;...&gt;</c>: not checked (outbound only).</summary>
    public bool OptionsUnchecked => Options is null;
}

/// <summary><c>&lt; udp (100)</c>: parsed so that scripts using it are reported clearly.</summary>
internal sealed record UdpPacketSpec(PacketDirection Direction, IpInfo Ip, int PayloadLength) : PacketSpec(Direction, Ip);

/// <summary><c>&lt; icmp unreachable frag_needed mtu 1200 [1:1461(1460)]</c>: parsed so that scripts using it are reported clearly.</summary>
internal sealed record IcmpPacketSpec(PacketDirection Direction, IpInfo Ip, string Type, string? Code, int? Mtu) : PacketSpec(Direction, Ip);

namespace Junction.Conformance.Parsing;

/// <summary>A parsed packetdrill script: command-line style options, then timed events in file order.</summary>
internal sealed class Script(string path, IReadOnlyList<ScriptOption> options, IReadOnlyList<ScriptEvent> events)
{
    public string Path { get; } = path;
    public IReadOnlyList<ScriptOption> Options { get; } = options;
    public IReadOnlyList<ScriptEvent> Events { get; } = events;
}

/// <summary>A <c>--name=value</c> line at the top of a script.</summary>
internal sealed record ScriptOption(int Line, string Name, string? Value);

/// <summary>How an event's time is written.</summary>
internal enum TimeKind
{
    /// <summary>A backquoted command without a time: runs where it stands, takes no time.</summary>
    None,
    /// <summary><c>0.100</c>: seconds since the script started.</summary>
    Absolute,
    /// <summary><c>+0.1</c>: seconds after the previous event.</summary>
    Relative,
    /// <summary><c>*</c>: any time (outbound packets only).</summary>
    Any,
    /// <summary><c>0.1~0.3</c>: an absolute window (outbound packets only).</summary>
    AbsoluteRange,
    /// <summary><c>+0.1~+0.3</c>: a window after the previous event (outbound packets only).</summary>
    RelativeRange,
}

/// <summary>An event's time in microseconds; <see cref="EndMicros"/> only for ranges.</summary>
internal readonly record struct EventTime(TimeKind Kind, long Micros, long EndMicros = 0);

/// <summary>One line (or statement) of a script.</summary>
internal abstract record ScriptEvent(int Line, EventTime Time);

/// <summary><c>&lt; S 0:0(0) win 65535</c> or <c>&gt; S. 0:0(0) ack 1</c>.</summary>
internal sealed record PacketEvent(int Line, EventTime Time, PacketSpec Packet) : ScriptEvent(Line, Time);

/// <summary><c>write(4, ..., 1000) = 1000</c>.</summary>
internal sealed record SyscallEvent(int Line, EventTime Time, SyscallSpec Call) : ScriptEvent(Line, Time);

/// <summary><c>`sysctl -q net.ipv4.tcp_sack=0`</c>.</summary>
internal sealed record CommandEvent(int Line, EventTime Time, string CommandLine) : ScriptEvent(Line, Time);

/// <summary><c>%{ python }%</c> code blocks (assertions over tcp_info in packetdrill).</summary>
internal sealed record CodeEvent(int Line, EventTime Time, string Code) : ScriptEvent(Line, Time);

namespace Junction.Conformance.Parsing;

/// <summary>One TCP option in a packet line's <c>&lt;...&gt;</c> list, in the order written.</summary>
internal abstract record TcpOptionSpec
{
    /// <summary>The option as packetdrill prints it.</summary>
    public abstract override string ToString();
}

internal sealed record NopOption : TcpOptionSpec
{
    public override string ToString() => "nop";
}

internal sealed record EolOption : TcpOptionSpec
{
    public override string ToString() => "eol";
}

internal sealed record MssOption(int Mss) : TcpOptionSpec
{
    public override string ToString() => $"mss {Mss}";
}

internal sealed record WindowScaleOption(int Shift) : TcpOptionSpec
{
    public override string ToString() => $"wscale {Shift}";
}

internal sealed record SackPermittedOption : TcpOptionSpec
{
    public override string ToString() => "sackOK";
}

/// <summary>A SACK block [Left, Right), relative like the segment's sequence numbers.</summary>
internal readonly record struct SackRange(uint Left, uint Right);

internal sealed record SackOption(IReadOnlyList<SackRange> Blocks) : TcpOptionSpec
{
    public override string ToString() => "sack " + string.Join(' ', Blocks.Select(b => $"{b.Left}:{b.Right}"));
}

internal sealed record TimestampOption(uint Value, uint Echo) : TcpOptionSpec
{
    public override string ToString() => $"TS val {Value} ecr {Echo}";
}

/// <summary>Options the runner parses but cannot drive (TCP Fast Open, MD5, AccECN): reported as unsupported.</summary>
internal sealed record UnsupportedOption(string Text) : TcpOptionSpec
{
    public override string ToString() => Text;
}

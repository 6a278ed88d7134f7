namespace Junction.Conformance.Parsing;

/// <summary>
/// <c>name(args) = result [ERRNO (note)]</c>; <see cref="BlockingEndMicros"/> is set when written
/// <c>+0...0.200 accept(...)</c>: the call blocks and must return at that time.
/// </summary>
internal sealed record SyscallSpec(string Name, IReadOnlyList<Expr> Arguments, Expr Result, string? Errno, string? Note, long? BlockingEndMicros);

/// <summary>A syscall argument or result.</summary>
internal abstract record Expr;

/// <summary><c>...</c>: any value (or the runner's default address).</summary>
internal sealed record EllipsisExpr : Expr
{
    public override string ToString() => "...";
}

internal sealed record IntExpr(long Value) : Expr
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A symbol such as <c>SOCK_STREAM</c> or <c>O_NONBLOCK</c>.</summary>
internal sealed record WordExpr(string Name) : Expr
{
    public override string ToString() => Name;
}

internal sealed record StringExpr(string Value, bool TrailingEllipsis) : Expr
{
    public override string ToString() => $"\"{Value}\"" + (TrailingEllipsis ? "..." : "");
}

/// <summary><c>a | b</c>.</summary>
internal sealed record OrExpr(Expr Left, Expr Right) : Expr
{
    public override string ToString() => $"{Left}|{Right}";
}

/// <summary><c>name=value</c> inside a struct.</summary>
internal sealed record AssignExpr(string Name, Expr Value) : Expr
{
    public override string ToString() => $"{Name}={Value}";
}

/// <summary><c>[a, b]</c>.</summary>
internal sealed record ListExpr(IReadOnlyList<Expr> Items) : Expr
{
    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

/// <summary><c>{a=1, b=2}</c>.</summary>
internal sealed record StructExpr(IReadOnlyList<Expr> Items) : Expr
{
    public override string ToString() => "{" + string.Join(", ", Items) + "}";

    /// <summary>The value of field <paramref name="name"/>, or null.</summary>
    public Expr? Field(string name)
    {
        foreach (Expr item in Items)
        {
            if (item is AssignExpr assign && assign.Name == name) return assign.Value;
        }
        return null;
    }
}

/// <summary><c>htons(8080)</c>, <c>inet_addr("192.0.2.1")</c>.</summary>
internal sealed record CallExpr(string Name, IReadOnlyList<Expr> Arguments) : Expr
{
    public override string ToString() => $"{Name}(" + string.Join(", ", Arguments) + ")";
}

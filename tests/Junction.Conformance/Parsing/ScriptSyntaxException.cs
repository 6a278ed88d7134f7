namespace Junction.Conformance.Parsing;

/// <summary>A script that does not follow packetdrill's grammar, with the line it fails on.</summary>
internal sealed class ScriptSyntaxException : Exception
{
    public ScriptSyntaxException(string path, int line, string message)
        : base($"{path}:{line}: {message}")
    {
        Line = line;
        Reason = message;
    }

    public ScriptSyntaxException()
    {
        Reason = "";
    }

    public ScriptSyntaxException(string message) : base(message)
    {
        Reason = message;
    }

    public ScriptSyntaxException(string message, Exception innerException) : base(message, innerException)
    {
        Reason = message;
    }

    public int Line { get; }

    public string Reason { get; }
}

namespace Junction.Conformance.Running;

/// <summary>The first thing that went against the script: a mismatch, a wrong return value, or something unsupported.</summary>
internal sealed class ScriptFailure : Exception
{
    public ScriptFailure(int line, string message) : base(message)
    {
        Line = line;
    }

    public ScriptFailure()
    {
    }

    public ScriptFailure(string message) : base(message)
    {
    }

    public ScriptFailure(string message, Exception innerException) : base(message, innerException)
    {
    }

    public int Line { get; }

    /// <summary>Whether the script needs something the runner or the stack does not have (as opposed to a behaviour mismatch).</summary>
    public bool Unsupported { get; init; }

    public static ScriptFailure NotSupported(int line, string what) => new(line, "unsupported: " + what) { Unsupported = true };
}

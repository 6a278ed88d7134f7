namespace Junction.Conformance.Running.Python;

/// <summary>The kinds of token in the small Python subset of <c>%{ }%</c> blocks.</summary>
internal enum PythonTokenKind
{
    Name,
    Integer,
    String,
    Operator,
    /// <summary>End of a statement: a newline outside brackets, or <c>;</c>.</summary>
    End,
    EndOfBlock,
}

/// <summary>One token; <see cref="Line"/> is the script line it stands on.</summary>
internal readonly record struct PythonToken(PythonTokenKind Kind, string Text, long Value, int Line)
{
    public bool Is(string op) => Kind == PythonTokenKind.Operator && Text == op;

    public bool IsKeyword(string word) => Kind == PythonTokenKind.Name && Text == word;

    public override string ToString() => Kind switch
    {
        PythonTokenKind.End => "end of statement",
        PythonTokenKind.EndOfBlock => "end of the block",
        PythonTokenKind.String => $"'{Text}'",
        _ => $"'{Text}'",
    };
}

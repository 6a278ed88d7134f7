namespace Junction.Conformance.Parsing;

internal enum TokenKind
{
    End,
    Integer,
    Float,
    Word,
    String,
    BackQuoted,
    Code,
    Option,
    Ellipsis,
    Ipv4Address,
    Punct,
}

/// <summary>One lexical token; <see cref="Start"/>/<see cref="Length"/> locate it in the source.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Start, int Length)
{
    public long IntegerValue { get; init; }

    public double FloatValue { get; init; }

    public bool Is(char punct) => Kind == TokenKind.Punct && Text.Length == 1 && Text[0] == punct;

    public bool IsWord(string word) => Kind == TokenKind.Word && Text == word;

    public override string ToString() => Kind switch
    {
        TokenKind.End => "end of file",
        TokenKind.String => $"\"{Text}\"",
        TokenKind.BackQuoted => $"`{Text}`",
        _ => $"'{Text}'",
    };
}

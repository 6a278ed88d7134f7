namespace Junction.Compat;

/// <summary>How the supervisor answers one caught call.</summary>
internal readonly record struct Answer(AnswerKind Kind, long Value)
{
    /// <summary>Not a Junction socket: the kernel runs the call as the program made it.</summary>
    public static Answer Continue => new(AnswerKind.Continue, 0);

    /// <summary>Already answered (a descriptor installed as the return value), or to be answered later (a blocking accept or connect).</summary>
    public static Answer Handled => new(AnswerKind.Handled, 0);

    public static Answer Return(long value) => new(AnswerKind.Value, value);

    public static Answer Error(int errno) => new(AnswerKind.Error, errno);
}

/// <summary>The kinds of <see cref="Answer"/>.</summary>
internal enum AnswerKind
{
    Continue,
    Handled,
    Value,
    Error,
}

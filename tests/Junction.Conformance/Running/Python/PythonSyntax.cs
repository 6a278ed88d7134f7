namespace Junction.Conformance.Running.Python;

/// <summary>An expression of the Python subset; <see cref="Line"/> is its script line.</summary>
internal abstract record PythonExpr(int Line);

internal sealed record PythonConstant(int Line, object Value) : PythonExpr(Line);

internal sealed record PythonName(int Line, string Name) : PythonExpr(Line);

internal sealed record PythonTuple(int Line, IReadOnlyList<PythonExpr> Items) : PythonExpr(Line);

/// <summary><c>-x</c>, <c>+x</c>, <c>~x</c>, <c>not x</c>.</summary>
internal sealed record PythonUnary(int Line, string Operator, PythonExpr Operand) : PythonExpr(Line);

/// <summary>Arithmetic and bitwise operators, and <c>'format' % values</c>.</summary>
internal sealed record PythonBinary(int Line, string Operator, PythonExpr Left, PythonExpr Right) : PythonExpr(Line);

/// <summary><c>and</c> / <c>or</c>, which short-circuit and yield an operand, as in Python.</summary>
internal sealed record PythonLogical(int Line, string Operator, PythonExpr Left, PythonExpr Right) : PythonExpr(Line);

/// <summary><c>a &lt; b &lt;= c</c>: a chain, each middle operand evaluated once.</summary>
internal sealed record PythonComparison(int Line, PythonExpr First, IReadOnlyList<(string Operator, PythonExpr Operand)> Rest) : PythonExpr(Line);

/// <summary>A statement of the Python subset.</summary>
internal abstract record PythonStatement(int Line);

/// <summary><c>assert test[, message]</c>; <see cref="Text"/> is the test as written, for the failure message.</summary>
internal sealed record PythonAssert(int Line, PythonExpr Test, PythonExpr? Message, string Text) : PythonStatement(Line);

internal sealed record PythonPrint(int Line, IReadOnlyList<PythonExpr> Arguments) : PythonStatement(Line);

/// <summary><c>name = value</c> or an augmented <c>name += value</c> (<see cref="Operator"/> then is <c>+</c>).</summary>
internal sealed record PythonAssign(int Line, string Name, string? Operator, PythonExpr Value) : PythonStatement(Line);

internal sealed record PythonPass(int Line) : PythonStatement(Line);

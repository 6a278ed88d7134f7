namespace Junction.Conformance.Running.Python;

/// <summary>
/// Parses the Python subset packetdrill scripts use in <c>%{ }%</c> blocks: <c>assert</c>, <c>print(...)</c>,
/// assignments (also <c>+=</c> and friends) and <c>pass</c>, over integer and string expressions with Python's
/// precedence and chained comparisons. Anything outside it is a syntax error naming the script line, so a block
/// is never half understood.
/// </summary>
internal sealed class PythonParser
{
    private static readonly HashSet<string> Keywords =
        ["and", "or", "not", "assert", "print", "pass", "True", "False", "None", "if", "else", "elif", "for", "while",
         "in", "is", "lambda", "def", "return", "import", "from", "del", "global", "class", "with", "try", "except"];

    private readonly List<PythonToken> _tokens;
    private int _position;

    private PythonParser(List<PythonToken> tokens)
    {
        _tokens = tokens;
    }

    public static List<PythonStatement> Parse(string code, int firstLine)
    {
        var parser = new PythonParser(PythonLexer.Tokenize(code, firstLine));
        var statements = new List<PythonStatement>();
        while (parser.Current.Kind != PythonTokenKind.EndOfBlock)
        {
            if (parser.Current.Kind == PythonTokenKind.End)
            {
                parser._position++;
                continue;
            }
            statements.Add(parser.Statement());
            if (parser.Current.Kind is not (PythonTokenKind.End or PythonTokenKind.EndOfBlock))
                throw parser.Error($"unexpected {parser.Current}");
        }
        return statements;
    }

    private PythonToken Current => _tokens[_position];

    private PythonToken Peek(int ahead) => _tokens[Math.Min(_position + ahead, _tokens.Count - 1)];

    private PythonToken Take() => _tokens[_position++];

    private ScriptFailure Error(string message) => new(Current.Line, "python: " + message);

    private void Expect(string op)
    {
        if (!Current.Is(op)) throw Error($"expected '{op}' but found {Current}");
        _position++;
    }

    private PythonStatement Statement()
    {
        PythonToken first = Current;
        if (first.IsKeyword("assert"))
        {
            Take();
            int start = _position;
            PythonExpr test = Expression();
            string text = string.Join(" ", _tokens.GetRange(start, _position - start).Select(t => t.Kind == PythonTokenKind.String ? $"'{t.Text}'" : t.Text));
            PythonExpr? message = null;
            if (Current.Is(","))
            {
                Take();
                message = Expression();
            }
            return new PythonAssert(first.Line, test, message, text);
        }
        if (first.IsKeyword("print"))
        {
            Take();
            Expect("(");
            var arguments = new List<PythonExpr>();
            while (!Current.Is(")"))
            {
                arguments.Add(Expression());
                if (!Current.Is(",")) break;
                Take();
            }
            Expect(")");
            return new PythonPrint(first.Line, arguments);
        }
        if (first.IsKeyword("pass"))
        {
            Take();
            return new PythonPass(first.Line);
        }
        if (first.Kind == PythonTokenKind.Name && !Keywords.Contains(first.Text) && Peek(1).Kind == PythonTokenKind.Operator
            && Peek(1).Text is "=" or "+=" or "-=" or "*=" or "//=" or "%=" or "|=" or "&=" or "^=" or "<<=" or ">>=")
        {
            Take();
            string op = Take().Text;
            PythonExpr value = Expression();
            return new PythonAssign(first.Line, first.Text, op == "=" ? null : op[..^1], value);
        }
        throw Error($"unsupported statement starting with {first} (only assert, print, assignments and pass)");
    }

    private PythonExpr Expression()
    {
        PythonExpr left = And();
        while (Current.IsKeyword("or"))
        {
            int line = Take().Line;
            left = new PythonLogical(line, "or", left, And());
        }
        return left;
    }

    private PythonExpr And()
    {
        PythonExpr left = Not();
        while (Current.IsKeyword("and"))
        {
            int line = Take().Line;
            left = new PythonLogical(line, "and", left, Not());
        }
        return left;
    }

    private PythonExpr Not()
    {
        if (!Current.IsKeyword("not")) return Comparison();
        int line = Take().Line;
        return new PythonUnary(line, "not", Not());
    }

    private PythonExpr Comparison()
    {
        PythonExpr first = BitOr();
        List<(string, PythonExpr)>? rest = null;
        while (Current.Kind == PythonTokenKind.Operator && Current.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
        {
            string op = Take().Text;
            (rest ??= []).Add((op, BitOr()));
        }
        if (Current.IsKeyword("in") || Current.IsKeyword("is")) throw Error($"'{Current.Text}' is not supported");
        return rest is null ? first : new PythonComparison(first.Line, first, rest);
    }

    private PythonExpr BitOr() => LeftAssociative(BitXor, "|");

    private PythonExpr BitXor() => LeftAssociative(BitAnd, "^");

    private PythonExpr BitAnd() => LeftAssociative(Shift, "&");

    private PythonExpr Shift() => LeftAssociative(Sum, "<<", ">>");

    private PythonExpr Sum() => LeftAssociative(Term, "+", "-");

    private PythonExpr Term() => LeftAssociative(Unary, "*", "/", "//", "%");

    private PythonExpr LeftAssociative(Func<PythonExpr> next, params string[] operators)
    {
        PythonExpr left = next();
        while (Current.Kind == PythonTokenKind.Operator && operators.Contains(Current.Text))
        {
            PythonToken op = Take();
            left = new PythonBinary(op.Line, op.Text, left, next());
        }
        return left;
    }

    private PythonExpr Unary()
    {
        if (Current.Kind == PythonTokenKind.Operator && Current.Text is "-" or "+" or "~")
        {
            PythonToken op = Take();
            return new PythonUnary(op.Line, op.Text, Unary());
        }
        PythonExpr atom = Atom();
        if (Current.Is("**")) throw Error("'**' is not supported");
        if (Current.Is("(") || Current.Is("[") || Current.Is(".")) throw Error($"calls, indexing and attributes are not supported ('{Current.Text}' after an expression)");
        return atom;
    }

    private PythonExpr Atom()
    {
        PythonToken t = Current;
        switch (t.Kind)
        {
            case PythonTokenKind.Integer:
                Take();
                return new PythonConstant(t.Line, t.Value);
            case PythonTokenKind.String:
            {
                Take();
                string text = t.Text;
                while (Current.Kind == PythonTokenKind.String) text += Take().Text; // adjacent literals concatenate
                return new PythonConstant(t.Line, text);
            }
            case PythonTokenKind.Name when t.Text is "True" or "False":
                Take();
                return new PythonConstant(t.Line, t.Text == "True");
            case PythonTokenKind.Name when !Keywords.Contains(t.Text):
                Take();
                return new PythonName(t.Line, t.Text);
            case PythonTokenKind.Operator when t.Text == "(":
            {
                Take();
                if (Current.Is(")"))
                {
                    Take();
                    return new PythonTuple(t.Line, []);
                }
                PythonExpr first = Expression();
                if (!Current.Is(","))
                {
                    Expect(")");
                    return first;
                }
                var items = new List<PythonExpr> { first };
                while (Current.Is(","))
                {
                    Take();
                    if (Current.Is(")")) break;
                    items.Add(Expression());
                }
                Expect(")");
                return new PythonTuple(t.Line, items);
            }
            default:
                throw Error($"unexpected {t}");
        }
    }
}

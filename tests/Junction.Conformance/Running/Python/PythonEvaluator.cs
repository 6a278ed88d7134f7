using System.Globalization;
using System.Text;

namespace Junction.Conformance.Running.Python;

/// <summary>
/// Runs <c>%{ }%</c> blocks with Python's semantics for the subset <see cref="PythonParser"/> accepts. Values are
/// integers (as <see cref="long"/>, overflow is an error), booleans, strings and tuples. Variables a block assigns
/// live on into later blocks, as in packetdrill's single Python program. Names the script did not assign come from
/// <c>builtins</c>: it returns null for a name it does not know, and throws for a name it knows but cannot supply
/// (a tcp_info field Junction does not track). An assert's message is only evaluated when the assert fails.
/// </summary>
internal sealed class PythonEvaluator(Func<string, int, long?> builtins)
{
    private readonly Dictionary<string, object> _variables = new(StringComparer.Ordinal);

    /// <summary>What <c>print</c> wrote, one entry per call.</summary>
    public List<string> Printed { get; } = [];

    public void Run(string code, int firstLine)
    {
        foreach (PythonStatement statement in PythonParser.Parse(code, firstLine)) Execute(statement);
    }

    private void Execute(PythonStatement statement)
    {
        switch (statement)
        {
            case PythonAssert a:
                if (!Truthy(Evaluate(a.Test)))
                {
                    string message = a.Message is null ? "" : ": " + Display(Evaluate(a.Message));
                    throw new ScriptFailure(a.Line, $"assertion failed: {a.Text}{message}");
                }
                break;
            case PythonPrint p:
                Printed.Add(string.Join(" ", p.Arguments.Select(e => Display(Evaluate(e)))));
                break;
            case PythonAssign assign:
                if (assign.Name.StartsWith("tcpi_", StringComparison.Ordinal))
                    throw new ScriptFailure(assign.Line, $"python: cannot assign to {assign.Name} (tcp_info fields are set by the runner)");
                object value = Evaluate(assign.Value);
                if (assign.Operator is string op) value = Binary(assign.Line, op, Lookup(assign.Line, assign.Name), value);
                _variables[assign.Name] = value;
                break;
            case PythonPass:
                break;
            default:
                throw new InvalidOperationException(statement.ToString());
        }
    }

    private object Lookup(int line, string name)
    {
        // packetdrill assigns every tcpi_ field right before each block, so they win over script variables.
        if (!name.StartsWith("tcpi_", StringComparison.Ordinal) && _variables.TryGetValue(name, out object? variable)) return variable;
        return builtins(name, line) ?? throw new ScriptFailure(line, $"python: name '{name}' is not defined");
    }

    private object Evaluate(PythonExpr expr) => expr switch
    {
        PythonConstant c => c.Value,
        PythonName n => Lookup(n.Line, n.Name),
        PythonTuple t => t.Items.Select(Evaluate).ToArray(),
        PythonUnary { Operator: "not" } u => !Truthy(Evaluate(u.Operand)),
        PythonUnary u => Unary(u.Line, u.Operator, Evaluate(u.Operand)),
        PythonLogical { Operator: "and" } l => Evaluate(l.Left) is var left && !Truthy(left) ? left : Evaluate(l.Right),
        PythonLogical l => Evaluate(l.Left) is var left && Truthy(left) ? left : Evaluate(l.Right),
        PythonBinary b => Binary(b.Line, b.Operator, Evaluate(b.Left), Evaluate(b.Right)),
        PythonComparison c => Compare(c),
        _ => throw new InvalidOperationException(expr.ToString()),
    };

    private bool Compare(PythonComparison c)
    {
        object left = Evaluate(c.First);
        foreach ((string op, PythonExpr operand) in c.Rest)
        {
            object right = Evaluate(operand);
            if (!CompareOne(c.Line, op, left, right)) return false;
            left = right;
        }
        return true;
    }

    private static bool CompareOne(int line, string op, object left, object right)
    {
        if (IsInteger(left) && IsInteger(right))
        {
            long l = AsInteger(left), r = AsInteger(right);
            return op switch { "==" => l == r, "!=" => l != r, "<" => l < r, "<=" => l <= r, ">" => l > r, _ => l >= r };
        }
        if (left is string ls && right is string rs)
        {
            int order = string.CompareOrdinal(ls, rs);
            return op switch { "==" => order == 0, "!=" => order != 0, "<" => order < 0, "<=" => order <= 0, ">" => order > 0, _ => order >= 0 };
        }
        if (op == "==") return Display(left) == Display(right) && left.GetType() == right.GetType();
        if (op == "!=") return !(Display(left) == Display(right) && left.GetType() == right.GetType());
        throw new ScriptFailure(line, $"python: cannot compare {TypeName(left)} {op} {TypeName(right)}");
    }

    private static long Unary(int line, string op, object operand)
    {
        if (!IsInteger(operand)) throw new ScriptFailure(line, $"python: bad operand type for unary {op}: {TypeName(operand)}");
        long v = AsInteger(operand);
        return op switch { "-" => Checked(line, () => checked(-v)), "~" => ~v, _ => v };
    }

    private static object Binary(int line, string op, object left, object right)
    {
        if (op == "%" && left is string format) return Format(line, format, right);
        if (op == "+" && left is string a && right is string b) return a + b;
        if (!IsInteger(left) || !IsInteger(right))
            throw new ScriptFailure(line, $"python: unsupported operand types for {op}: {TypeName(left)} and {TypeName(right)}");
        long l = AsInteger(left), r = AsInteger(right);
        if (op is "//" or "%" && r == 0) throw new ScriptFailure(line, "python: integer division or modulo by zero");
        return op switch
        {
            "+" => Checked(line, () => checked(l + r)),
            "-" => Checked(line, () => checked(l - r)),
            "*" => Checked(line, () => checked(l * r)),
            "//" => FloorDivide(l, r),
            "%" => l - (FloorDivide(l, r) * r),
            "&" => l & r,
            "|" => l | r,
            "^" => l ^ r,
            "<<" when r is >= 0 and < 63 => Checked(line, () => l << (int)r >> (int)r == l ? l << (int)r : throw new OverflowException()),
            ">>" when r >= 0 => l >> (int)Math.Min(r, 63),
            "/" => throw new ScriptFailure(line, "python: '/' (true division) gives a float, which is not supported; use //"),
            _ => throw new ScriptFailure(line, $"python: unsupported shift count {r}"),
        };
    }

    private static long FloorDivide(long l, long r)
    {
        long q = l / r;
        return (l % r != 0) && ((l < 0) != (r < 0)) ? q - 1 : q;
    }

    private static long Checked(int line, Func<long> operation)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            throw new ScriptFailure(line, "python: integer result beyond 64 bits is not supported");
        }
    }

    /// <summary>printf-style <c>'fmt' % values</c> for %d %i %u %s %r %x %X %o and %%, with flags and a width.</summary>
    private static string Format(int line, string format, object values)
    {
        object[] args = values as object[] ?? [values];
        var result = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                result.Append(format[i]);
                continue;
            }
            int j = i + 1;
            bool leftAlign = false, zeroPad = false;
            while (j < format.Length && format[j] is '-' or '0' or ' ' or '+')
            {
                leftAlign |= format[j] == '-';
                zeroPad |= format[j] == '0';
                j++;
            }
            int width = 0;
            while (j < format.Length && char.IsAsciiDigit(format[j])) width = (width * 10) + (format[j++] - '0');
            if (j >= format.Length) throw new ScriptFailure(line, "python: incomplete format");
            char conversion = format[j];
            i = j;
            if (conversion == '%')
            {
                result.Append('%');
                continue;
            }
            if (next >= args.Length) throw new ScriptFailure(line, "python: not enough arguments for format string");
            object arg = args[next++];
            string text = conversion switch
            {
                'd' or 'i' or 'u' when IsInteger(arg) => AsInteger(arg).ToString(CultureInfo.InvariantCulture),
                'x' when IsInteger(arg) => AsInteger(arg).ToString("x", CultureInfo.InvariantCulture),
                'X' when IsInteger(arg) => AsInteger(arg).ToString("X", CultureInfo.InvariantCulture),
                'o' when IsInteger(arg) => Convert.ToString(AsInteger(arg), 8),
                's' or 'r' => Display(arg),
                _ => throw new ScriptFailure(line, $"python: unsupported format %{conversion} for {TypeName(arg)}"),
            };
            result.Append(leftAlign ? text.PadRight(width) : text.PadLeft(width, zeroPad && conversion != 's' ? '0' : ' '));
        }
        if (next < args.Length) throw new ScriptFailure(line, "python: not all arguments converted during string formatting");
        return result.ToString();
    }

    private static bool IsInteger(object value) => value is long or bool;

    private static long AsInteger(object value) => value is bool b ? (b ? 1 : 0) : (long)value;

    private static bool Truthy(object value) => value switch
    {
        bool b => b,
        long l => l != 0,
        string s => s.Length > 0,
        object[] t => t.Length > 0,
        _ => true,
    };

    private static string TypeName(object value) => value switch
    {
        bool => "bool",
        long => "int",
        string => "str",
        _ => "tuple",
    };

    private static string Display(object value) => value switch
    {
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        object[] t => "(" + string.Join(", ", t.Select(Display)) + (t.Length == 1 ? ",)" : ")"),
        _ => value.ToString() ?? "",
    };
}

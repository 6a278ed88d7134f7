using System.Globalization;
using System.Text;

namespace Junction.Conformance.Running.Python;

/// <summary>
/// Splits a <c>%{ }%</c> block into tokens: names, integer literals (decimal, 0x, 0o, 0b), quoted strings and
/// operators. Newlines end a statement except inside brackets or after a backslash; <c>#</c> starts a comment.
/// Anything else (floats, unknown characters) is a syntax error naming the script line.
/// </summary>
internal static class PythonLexer
{
    private static readonly string[] Operators =
        ["**", "//=", "<<=", ">>=", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "|=", "&=", "^=", "%=",
         "+", "-", "*", "/", "%", "<", ">", "(", ")", "[", "]", ",", "=", "&", "|", "^", "~", ":", "."];

    public static List<PythonToken> Tokenize(string code, int firstLine)
    {
        var tokens = new List<PythonToken>();
        int line = firstLine;
        int depth = 0;
        int i = 0;
        while (i < code.Length)
        {
            char c = code[i];
            if (c == '\n')
            {
                if (depth == 0) AddEnd(tokens, line);
                line++;
                i++;
            }
            else if (c == '\\' && NextIsNewline(code, i + 1, out int after))
            {
                line++;
                i = after;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < code.Length && code[i] != '\n') i++;
            }
            else if (c == ';')
            {
                AddEnd(tokens, line);
                i++;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                int start = i;
                while (i < code.Length && (char.IsAsciiLetterOrDigit(code[i]) || code[i] == '_')) i++;
                tokens.Add(new PythonToken(PythonTokenKind.Name, code[start..i], 0, line));
            }
            else if (char.IsAsciiDigit(c))
            {
                tokens.Add(Number(code, ref i, line));
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(String(code, ref i, line));
            }
            else
            {
                string? op = null;
                foreach (string candidate in Operators)
                {
                    if (string.CompareOrdinal(code, i, candidate, 0, candidate.Length) == 0)
                    {
                        op = candidate;
                        break;
                    }
                }
                if (op is null) throw new ScriptFailure(line, $"python: unexpected character '{c}'");
                if (op is "(" or "[") depth++;
                if (op is ")" or "]") depth = Math.Max(0, depth - 1);
                tokens.Add(new PythonToken(PythonTokenKind.Operator, op, 0, line));
                i += op.Length;
            }
        }
        AddEnd(tokens, line);
        tokens.Add(new PythonToken(PythonTokenKind.EndOfBlock, "", 0, line));
        return tokens;
    }

    private static bool NextIsNewline(string code, int i, out int after)
    {
        while (i < code.Length && code[i] is ' ' or '\t' or '\r') i++;
        after = i + 1;
        return i < code.Length && code[i] == '\n';
    }

    private static void AddEnd(List<PythonToken> tokens, int line)
    {
        if (tokens.Count > 0 && tokens[^1].Kind != PythonTokenKind.End) tokens.Add(new PythonToken(PythonTokenKind.End, "", 0, line));
    }

    private static PythonToken Number(string code, ref int i, int line)
    {
        int start = i;
        while (i < code.Length && (char.IsAsciiLetterOrDigit(code[i]) || code[i] == '_')) i++;
        if (i < code.Length && code[i] == '.') throw new ScriptFailure(line, "python: floating-point literals are not supported");
        string text = code[start..i];
        string digits = text.Replace("_", "", StringComparison.Ordinal);
        (string body, int radix) = digits.Length > 1 && digits[0] == '0' ? char.ToLowerInvariant(digits[1]) switch
        {
            'x' => (digits[2..], 16),
            'o' => (digits[2..], 8),
            'b' => (digits[2..], 2),
            _ => (digits, 10),
        } : (digits, 10);
        if (radix == 10 && body.Length > 1 && body[0] == '0' && body.Any(d => d != '0'))
            throw new ScriptFailure(line, $"python: invalid integer literal '{text}' (leading zeros)");
        try
        {
            long value = radix == 10
                ? long.Parse(body, NumberStyles.None, CultureInfo.InvariantCulture)
                : Convert.ToInt64(body, radix);
            if (body.Length == 0) throw new FormatException();
            return new PythonToken(PythonTokenKind.Integer, text, value, line);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            throw new ScriptFailure(line, $"python: invalid integer literal '{text}'");
        }
    }

    private static PythonToken String(string code, ref int i, int line)
    {
        char quote = code[i++];
        var text = new StringBuilder();
        while (true)
        {
            if (i >= code.Length || code[i] == '\n') throw new ScriptFailure(line, "python: unterminated string literal");
            char c = code[i++];
            if (c == quote) break;
            if (c == '\\' && i < code.Length)
            {
                char e = code[i++];
                text.Append(e switch { 'n' => '\n', 't' => '\t', _ => e });
                continue;
            }
            text.Append(c);
        }
        return new PythonToken(PythonTokenKind.String, text.ToString(), 0, line);
    }
}

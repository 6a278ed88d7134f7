using System.Globalization;

namespace Junction.Conformance.Parsing;

/// <summary>
/// Splits a script into tokens the way packetdrill's flex lexer does: longest match, numbers before words,
/// <c>//</c> and <c>/* */</c> comments, backquoted shell commands, <c>%{ }%</c> code blocks, <c>--options</c>.
/// </summary>
internal sealed class Lexer(string path, string source)
{
    private int _position;
    private int _line = 1;

    public static List<Token> Tokenize(string path, string source)
    {
        var lexer = new Lexer(path, source);
        var tokens = new List<Token>();
        while (true)
        {
            Token token = lexer.Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.End) return tokens;
        }
    }

    private char Peek(int ahead = 0) => _position + ahead < source.Length ? source[_position + ahead] : '\0';

    private ScriptSyntaxException Error(string message) => new(path, _line, message);

    private Token Next()
    {
        SkipSpaceAndComments();
        int start = _position;
        int line = _line;
        if (_position >= source.Length) return new Token(TokenKind.End, "", line, start, 0);
        char c = Peek();

        if (c == '.' && Peek(1) == '.' && Peek(2) == '.')
        {
            _position += 3;
            return new Token(TokenKind.Ellipsis, "...", line, start, 3);
        }
        if (c == '-' && Peek(1) == '-' && IsWordChar(Peek(2)))
        {
            _position += 2;
            while (IsWordChar(Peek())) _position++;
            return Make(TokenKind.Option, start, line);
        }
        if (c == '`') return Quoted('`', TokenKind.BackQuoted, start, line);
        if (c == '"') return Quoted('"', TokenKind.String, start, line);
        if (c == '%' && Peek(1) == '{')
        {
            int end = source.IndexOf("}%", _position + 2, StringComparison.Ordinal);
            if (end < 0) throw Error("unterminated %{ code block");
            string code = source[(_position + 2)..end];
            Advance(end + 2 - _position);
            return new Token(TokenKind.Code, code, line, start, _position - start);
        }
        if (char.IsAsciiDigit(c) || (c == '-' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) == '.' && char.IsAsciiDigit(Peek(2)))))
            || (c == '.' && char.IsAsciiDigit(Peek(1))))
        {
            return Number(start, line);
        }
        if (IsWordChar(c))
        {
            while (IsWordChar(Peek())) _position++;
            return Make(TokenKind.Word, start, line);
        }
        _position++;
        return Make(TokenKind.Punct, start, line);
    }

    private Token Number(int start, int line)
    {
        // Hexadecimal: 0x1f.
        if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X') && char.IsAsciiHexDigit(Peek(2)))
        {
            _position += 2;
            while (char.IsAsciiHexDigit(Peek())) _position++;
            if (IsWordChar(Peek())) return WordFrom(start, line);
            string hex = source[(start + 2).._position];
            if (!long.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long hexValue))
                throw Error($"hexadecimal number out of range: 0x{hex}");
            return Make(TokenKind.Integer, start, line) with { IntegerValue = hexValue };
        }
        if (Peek() == '-') _position++;
        int digitsStart = _position;
        while (char.IsAsciiDigit(Peek())) _position++;
        int integerDigits = _position - digitsStart;

        // An IPv4 address: 192.0.2.1.
        if (integerDigits > 0 && source[start] != '-' && TryIpv4(start, out int ipEnd))
        {
            _position = ipEnd;
            return Make(TokenKind.Ipv4Address, start, line);
        }
        if (Peek() == '.' && char.IsAsciiDigit(Peek(1)))
        {
            _position++;
            while (char.IsAsciiDigit(Peek())) _position++;
            string text = source[start.._position];
            return Make(TokenKind.Float, start, line) with { FloatValue = double.Parse(text, CultureInfo.InvariantCulture) };
        }
        // Digits followed by letters are a word (a hex blob such as a Fast Open cookie).
        if (source[start] != '-' && IsWordChar(Peek())) return WordFrom(start, line);
        string digits = source[start.._position];
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw Error($"number out of range: {digits}");
        return Make(TokenKind.Integer, start, line) with { IntegerValue = value };
    }

    private Token WordFrom(int start, int line)
    {
        while (IsWordChar(Peek())) _position++;
        return Make(TokenKind.Word, start, line);
    }

    private bool TryIpv4(int start, out int end)
    {
        int p = start;
        for (int part = 0; part < 4; part++)
        {
            int digits = 0;
            while (p < source.Length && char.IsAsciiDigit(source[p]))
            {
                p++;
                digits++;
            }
            if (digits == 0 || digits > 3)
            {
                end = 0;
                return false;
            }
            if (part < 3)
            {
                if (p >= source.Length || source[p] != '.')
                {
                    end = 0;
                    return false;
                }
                p++;
            }
        }
        end = p;
        return p >= source.Length || !IsWordChar(source[p]);
    }

    private Token Quoted(char quote, TokenKind kind, int start, int line)
    {
        var text = new System.Text.StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= source.Length) throw new ScriptSyntaxException(path, line, $"unterminated {quote}");
            char c = source[_position];
            if (c == '\\' && _position + 1 < source.Length)
            {
                char escaped = source[_position + 1];
                text.Append(escaped switch { 'n' => '\n', 't' => '\t', _ => escaped });
                if (escaped == '\n') _line++;
                _position += 2;
                continue;
            }
            if (c == quote)
            {
                _position++;
                return new Token(kind, text.ToString(), line, start, _position - start);
            }
            if (c == '\n') _line++;
            text.Append(c);
            _position++;
        }
    }

    private void SkipSpaceAndComments()
    {
        while (_position < source.Length)
        {
            char c = source[_position];
            if (c == '\n')
            {
                _line++;
                _position++;
            }
            else if (c is ' ' or '\t' or '\r')
            {
                _position++;
            }
            else if (c == '/' && Peek(1) == '/')
            {
                while (_position < source.Length && source[_position] != '\n') _position++;
            }
            else if (c == '/' && Peek(1) == '*')
            {
                int end = source.IndexOf("*/", _position + 2, StringComparison.Ordinal);
                if (end < 0) throw Error("unterminated /* comment");
                Advance(end + 2 - _position);
            }
            else
            {
                return;
            }
        }
    }

    private void Advance(int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (source[_position] == '\n') _line++;
            _position++;
        }
    }

    private Token Make(TokenKind kind, int start, int line) => new(kind, source[start.._position], line, start, _position - start);

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}

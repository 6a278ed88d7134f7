namespace Junction.Conformance.Parsing;

/// <summary>
/// A recursive-descent parser for the packetdrill language as its <c>gtests/net/tcp</c> suite uses it.
/// Written from the grammar's shape (options, then <c>time action</c> events), not from its code.
/// </summary>
internal sealed class ScriptParser
{
    private readonly string _path;
    private readonly string _source;
    private readonly List<Token> _tokens;
    private int _index;

    private ScriptParser(string path, string source)
    {
        _path = path;
        _source = source;
        _tokens = Lexer.Tokenize(path, source);
    }

    public static Script ParseFile(string path) => Parse(path, File.ReadAllText(path));

    public static Script Parse(string path, string source) => new ScriptParser(path, source).ParseScript();

    private Token Current => _tokens[_index];

    private Token PeekToken(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Take() => _tokens[_index++ < _tokens.Count - 1 ? _index - 1 : _tokens.Count - 1];

    private ScriptSyntaxException Error(string message, Token? at = null) => new(_path, (at ?? Current).Line, message);

    private Token Expect(char punct, string context)
    {
        if (!Current.Is(punct)) throw Error($"expected '{punct}' {context}, found {Current}");
        return Take();
    }

    private long ExpectInteger(string what)
    {
        if (Current.Kind != TokenKind.Integer) throw Error($"expected {what}, found {Current}");
        return Take().IntegerValue;
    }

    private string ExpectWord(string what)
    {
        if (Current.Kind != TokenKind.Word) throw Error($"expected {what}, found {Current}");
        return Take().Text;
    }

    private Script ParseScript()
    {
        var options = new List<ScriptOption>();
        while (Current.Kind == TokenKind.Option) options.Add(ParseOption());
        var events = new List<ScriptEvent>();
        while (Current.Kind != TokenKind.End) events.Add(ParseEvent());
        return new Script(_path, options, events);
    }

    private ScriptOption ParseOption()
    {
        // Values can be addresses of any family (--local_ip=fd::1) or quoted strings: take the rest of the line.
        Token option = Take();
        string name = option.Text[2..];
        int lineEnd = _source.IndexOf('\n', option.Start);
        if (lineEnd < 0) lineEnd = _source.Length;
        while (Current.Kind != TokenKind.End && Current.Start < lineEnd) Take();
        string rest = _source[(option.Start + option.Length)..lineEnd];
        int comment = rest.IndexOf("//", StringComparison.Ordinal);
        if (comment >= 0) rest = rest[..comment];
        rest = rest.Trim();
        if (rest.Length == 0) return new ScriptOption(option.Line, name, null);
        if (rest[0] != '=') throw new ScriptSyntaxException(_path, option.Line, $"expected '=' or end of line after --{name}");
        string value = rest[1..].Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
        return new ScriptOption(option.Line, name, value);
    }

    private ScriptEvent ParseEvent()
    {
        Token first = Current;
        if (first.Kind == TokenKind.BackQuoted)
        {
            Take();
            return new CommandEvent(first.Line, new EventTime(TimeKind.None, 0), first.Text);
        }
        EventTime time = ParseEventTime();
        int line = first.Line;
        Token action = Current;
        ScriptEvent result;
        if (action.Is('<') || action.Is('>'))
        {
            result = new PacketEvent(line, time, ParsePacket());
        }
        else if (action.Kind == TokenKind.BackQuoted)
        {
            Take();
            result = new CommandEvent(line, time, action.Text);
        }
        else if (action.Kind == TokenKind.Code)
        {
            Take();
            result = new CodeEvent(line, time, action.Text);
        }
        else if (action.Kind == TokenKind.Ellipsis || (action.Kind == TokenKind.Word && PeekToken(1).Is('(')))
        {
            result = new SyscallEvent(line, time, ParseSyscall());
        }
        else
        {
            throw Error($"expected a packet, system call or command after the time, found {action}");
        }
        Validate(result);
        return result;
    }

    private void Validate(ScriptEvent e)
    {
        bool outboundPacket = e is PacketEvent { Packet.Direction: PacketDirection.Outbound };
        if (e.Time.Kind == TimeKind.Any && !outboundPacket)
            throw new ScriptSyntaxException(_path, e.Line, "event time <star> can only be used with outbound packets");
        if (e.Time.Kind is TimeKind.AbsoluteRange or TimeKind.RelativeRange && !outboundPacket)
            throw new ScriptSyntaxException(_path, e.Line, "event time range can only be used with outbound packets");
        if (e.Time.Kind is TimeKind.AbsoluteRange or TimeKind.RelativeRange && e.Time.EndMicros < e.Time.Micros)
            throw new ScriptSyntaxException(_path, e.Line, "time range is backwards");
    }

    private EventTime ParseEventTime()
    {
        if (Current.Is('*'))
        {
            Take();
            return new EventTime(TimeKind.Any, 0);
        }
        if (Current.Is('+'))
        {
            Take();
            long start = ParseTime();
            if (Current.Is('~'))
            {
                Take();
                Expect('+', "before the end of a relative time range");
                return new EventTime(TimeKind.RelativeRange, start, ParseTime());
            }
            return new EventTime(TimeKind.Relative, start);
        }
        if (Current.Kind is TokenKind.Integer or TokenKind.Float)
        {
            long start = ParseTime();
            if (Current.Is('~'))
            {
                Take();
                return new EventTime(TimeKind.AbsoluteRange, start, ParseTime());
            }
            return new EventTime(TimeKind.Absolute, start);
        }
        throw Error($"expected an event time, found {Current}");
    }

    /// <summary>Seconds as an integer or decimal, in microseconds.</summary>
    private long ParseTime()
    {
        Token t = Take();
        double seconds = t.Kind switch
        {
            TokenKind.Integer => t.IntegerValue,
            TokenKind.Float => t.FloatValue,
            _ => throw Error($"expected a time in seconds, found {t}", t),
        };
        if (seconds < 0) throw Error("negative time", t);
        return (long)Math.Round(seconds * 1_000_000);
    }

    // ---- packets ------------------------------------------------------------------------------------

    private PacketSpec ParsePacket()
    {
        Token directionToken = Take();
        PacketDirection direction = directionToken.Is('<') ? PacketDirection.Inbound : PacketDirection.Outbound;
        if (Current.IsWord("ipv4") || Current.IsWord("ipv6") || Current.IsWord("gre") || Current.IsWord("GREv0") || Current.IsWord("mpls"))
            throw Error($"unsupported packet encapsulation '{Current.Text}' (only plain IPv4/TCP packets are supported)");
        IpInfo ip = ParseOptionalIpInfo(direction);
        if (Current.IsWord("encap")) throw Error("unsupported packet encapsulation 'encap'");

        if (Current.IsWord("udp"))
        {
            Take();
            SkipPortInfo();
            Expect('(', "before the UDP payload length");
            int udpLength = (int)ExpectInteger("UDP payload length");
            Expect(')', "after the UDP payload length");
            return new UdpPacketSpec(direction, ip, udpLength);
        }
        if (Current.IsWord("icmp")) return ParseIcmp(direction, ip);

        int? sourcePort = null, destinationPort = null;
        if (Current.Kind == TokenKind.Integer && PeekToken(1).Is('>'))
        {
            sourcePort = CheckU16(ExpectInteger("source port"), "src port");
            Take();
            destinationPort = CheckU16(ExpectInteger("destination port"), "dst port");
        }

        (string flagsText, SegmentFlags flags) = ParseFlags();
        uint start = CheckU32(ExpectInteger("start sequence number"), "TCP start sequence number");
        Expect(':', "in start:end(length)");
        uint end = CheckU32(ExpectInteger("end sequence number"), "TCP end sequence number");
        Expect('(', "in start:end(length)");
        int length = CheckU16(ExpectInteger("payload length"), "TCP payload size");
        Expect(')', "in start:end(length)");
        if (unchecked(start + (uint)length) != end)
            throw Error("inconsistent TCP sequence numbers and payload size", directionToken);

        uint ack = 0;
        if (Current.IsWord("ack"))
        {
            Take();
            ack = CheckU32(ExpectInteger("ack number"), "TCP ack sequence number");
        }
        int? window = null;
        if (Current.IsWord("win"))
        {
            Take();
            window = CheckU16(ExpectInteger("window"), "TCP window value");
        }
        int urgent = 0;
        if (Current.IsWord("urg"))
        {
            Take();
            urgent = CheckU16(ExpectInteger("urgent pointer"), "urg_ptr value");
        }
        IReadOnlyList<TcpOptionSpec>? options = [];
        if (Current.Is('<'))
        {
            Token open = Take();
            if (Current.Kind == TokenKind.Ellipsis)
            {
                Take();
                Expect('>', "after <...");
                if (direction == PacketDirection.Inbound)
                    throw Error("<...> for TCP options can only be used with outbound packets", open);
                options = null;
            }
            else
            {
                options = ParseTcpOptions();
            }
        }
        if (window is null && direction == PacketDirection.Inbound)
            throw Error("window must be specified for inbound packets", directionToken);
        if (ip.Ecn == EcnSpec.Ect01 && direction == PacketDirection.Inbound)
            throw Error("[ect01] can only be used with outbound packets", directionToken);
        return new TcpPacketSpec(direction, ip, sourcePort, destinationPort, flagsText, flags, start, length, ack, window, urgent, options);
    }

    private void SkipPortInfo()
    {
        if (Current.Kind == TokenKind.Integer && PeekToken(1).Is('>'))
        {
            Take();
            Take();
            ExpectInteger("destination port");
        }
    }

    private IcmpPacketSpec ParseIcmp(PacketDirection direction, IpInfo ip)
    {
        Take();
        string type = ExpectWord("ICMP type");
        string? code = null;
        if (Current.Kind == TokenKind.Word && !Current.IsWord("mtu") && !Current.IsWord("id")) code = Take().Text;
        int? mtu = null;
        if (Current.IsWord("mtu"))
        {
            Take();
            mtu = (int)ExpectInteger("ICMP MTU");
        }
        if (Current.IsWord("id"))
        {
            Take();
            ExpectInteger("ICMP echo id");
        }
        if (Current.Is('['))
        {
            // The echoed packet: [1:1461(1460)], [udp (100)] or [raw (10)]; kept only as far as parsing goes.
            Take();
            while (!Current.Is(']'))
            {
                if (Current.Kind == TokenKind.End) throw Error("unterminated ICMP echoed packet");
                Take();
            }
            Take();
        }
        return new IcmpPacketSpec(direction, ip, type, code, mtu);
    }

    private IpInfo ParseOptionalIpInfo(PacketDirection direction)
    {
        if (!(Current.Is('(') || Current.Is('['))) return IpInfo.None;
        char close = Current.Is('(') ? ')' : ']';
        Take();
        EcnSpec ecn = EcnSpec.Unspecified;
        int? tos = null, ttl = null, flowLabel = null;
        while (!Current.Is(close))
        {
            Token t = Take();
            switch (t.Text)
            {
                case "noecn": ecn = EcnSpec.NotEct; break;
                case "ect0": ecn = EcnSpec.Ect0; break;
                case "ect1": ecn = EcnSpec.Ect1; break;
                case "ce": ecn = EcnSpec.Ce; break;
                case "ect01": ecn = EcnSpec.Ect01; break;
                case "tos": tos = (int)ExpectInteger("tos value"); break;
                case "ttl": ttl = (int)ExpectInteger("ttl value"); break;
                case "flowlabel": flowLabel = (int)ExpectInteger("flow label"); break;
                case ",": break;
                default: throw Error($"unexpected {t} in IP info", t);
            }
        }
        Take();
        _ = direction;
        return new IpInfo(ecn, tos, ttl, flowLabel);
    }

    private (string Text, SegmentFlags Flags) ParseFlags()
    {
        string text;
        if (Current.Is('.'))
        {
            Take();
            text = ".";
        }
        else if (Current.Is('-'))
        {
            Take();
            text = "";
        }
        else if (Current.Kind == TokenKind.Word)
        {
            text = Take().Text;
            if (Current.Is('.'))
            {
                Take();
                text += ".";
            }
        }
        else
        {
            throw Error($"expected TCP flags, found {Current}");
        }
        SegmentFlags flags = SegmentFlags.None;
        foreach (char c in text)
        {
            flags |= c switch
            {
                '.' => SegmentFlags.Ack,
                'F' => SegmentFlags.Fin,
                'S' => SegmentFlags.Syn,
                'R' => SegmentFlags.Rst,
                'P' => SegmentFlags.Psh,
                'U' => SegmentFlags.Urg,
                'E' => SegmentFlags.Ece,
                'W' => SegmentFlags.Cwr,
                'A' => SegmentFlags.Ae,
                _ => throw Error($"invalid TCP flag '{c}' in '{text}'"),
            };
        }
        return (text, flags);
    }

    private List<TcpOptionSpec> ParseTcpOptions()
    {
        var options = new List<TcpOptionSpec>();
        while (true)
        {
            options.Add(ParseTcpOption());
            if (Current.Is(','))
            {
                Take();
                continue;
            }
            Expect('>', "after the TCP option list");
            return options;
        }
    }

    private TcpOptionSpec ParseTcpOption()
    {
        Token t = Current;
        if (t.Kind != TokenKind.Word) throw Error($"expected a TCP option, found {t}");
        Take();
        switch (t.Text)
        {
            case "nop": return new NopOption();
            case "eol": return new EolOption();
            case "mss": return new MssOption(CheckU16(ExpectInteger("mss value"), "mss value"));
            case "wscale":
                long shift = ExpectInteger("window scale");
                if (shift is < 0 or > 255) throw Error("window scale shift count out of range", t);
                return new WindowScaleOption((int)shift);
            case "sackOK": return new SackPermittedOption();
            case "sack":
                var blocks = new List<SackRange>();
                while (Current.Kind == TokenKind.Integer && PeekToken(1).Is(':'))
                {
                    uint left = CheckU32(Take().IntegerValue, "TCP SACK left sequence number");
                    Take();
                    uint right = CheckU32(ExpectInteger("SACK right edge"), "TCP SACK right sequence number");
                    blocks.Add(new SackRange(left, right));
                }
                if (blocks.Count == 0) throw Error("expected SACK blocks left:right", t);
                return new SackOption(blocks);
            case "TS":
                if (!Current.IsWord("val")) throw Error("expected 'val' after TS");
                Take();
                uint value = CheckU32(ExpectInteger("TS val"), "ts val");
                if (!Current.IsWord("ecr")) throw Error("expected 'ecr' after TS val");
                Take();
                uint echo = CheckU32(ExpectInteger("TS ecr"), "ecr val");
                return new TimestampOption(value, echo);
            case "FO":
            case "FOEXP":
            case "md5":
                string text = t.Text;
                if (Current.Kind is TokenKind.Word or TokenKind.Integer && !Current.Is(',')) text += " " + Take().Text;
                return new UnsupportedOption(text);
            case "ECN":
                string ecn = "ECN";
                while (Current.Kind is TokenKind.Word or TokenKind.Integer) ecn += " " + Take().Text;
                return new UnsupportedOption(ecn);
            default:
                throw Error($"unknown TCP option '{t.Text}'", t);
        }
    }

    private int CheckU16(long value, string what) =>
        value is >= 0 and <= ushort.MaxValue ? (int)value : throw Error($"{what} out of range");

    private uint CheckU32(long value, string what) =>
        value is >= 0 and <= uint.MaxValue ? (uint)value : throw Error($"{what} out of range");

    // ---- system calls -------------------------------------------------------------------------------

    private SyscallSpec ParseSyscall()
    {
        long? blockingEnd = null;
        if (Current.Kind == TokenKind.Ellipsis)
        {
            Take();
            blockingEnd = ParseTime();
        }
        string name = ExpectWord("system call name");
        Expect('(', $"after {name}");
        var arguments = new List<Expr>();
        if (!Current.Is(')'))
        {
            arguments.Add(ParseExpression());
            while (Current.Is(','))
            {
                Take();
                arguments.Add(ParseExpression());
            }
        }
        Expect(')', $"after the arguments of {name}");
        Expect('=', $"before the expected result of {name}");
        Expr result = ParseExpression();
        string? errno = null;
        string? note = null;
        // Every event starts with a time, so a word after the result can only be the errno.
        if (Current.Kind == TokenKind.Word) errno = Take().Text;
        if (Current.Is('(')) note = ParseNote();
        return new SyscallSpec(name, arguments, result, errno, note, blockingEnd);
    }

    /// <summary>The free text of <c>(Operation now in progress)</c>.</summary>
    private string ParseNote()
    {
        Token open = Take();
        int depth = 1;
        int start = open.Start + 1;
        while (true)
        {
            Token t = Take();
            if (t.Kind == TokenKind.End) throw Error("unterminated note in parentheses", open);
            if (t.Is('(')) depth++;
            if (t.Is(')') && --depth == 0) return _source[start..t.Start].Trim();
        }
    }

    private Expr ParseExpression()
    {
        Expr left = ParsePrimary();
        while (Current.Is('|'))
        {
            Take();
            left = new OrExpr(left, ParsePrimary());
        }
        return left;
    }

    private Expr ParsePrimary()
    {
        Token t = Current;
        switch (t.Kind)
        {
            case TokenKind.Ellipsis:
                Take();
                return new EllipsisExpr();
            case TokenKind.Integer:
                Take();
                return new IntExpr(t.IntegerValue);
            case TokenKind.String:
                Take();
                string text = t.Text;
                while (Current.Kind == TokenKind.String) text += Take().Text;
                bool ellipsis = false;
                if (Current.Kind == TokenKind.Ellipsis)
                {
                    Take();
                    ellipsis = true;
                }
                return new StringExpr(text, ellipsis);
            case TokenKind.Word:
                Take();
                if (Current.Is('='))
                {
                    Take();
                    return new AssignExpr(t.Text, ParseExpression());
                }
                if (Current.Is('('))
                {
                    Take();
                    var args = new List<Expr>();
                    if (!Current.Is(')'))
                    {
                        args.Add(ParseExpression());
                        while (Current.Is(','))
                        {
                            Take();
                            args.Add(ParseExpression());
                        }
                    }
                    Expect(')', $"after the arguments of {t.Text}");
                    var call = new CallExpr(t.Text, args);
                    // msg_name(...)=... in a msghdr.
                    if (Current.Is('='))
                    {
                        Take();
                        return new AssignExpr(call.ToString(), ParseExpression());
                    }
                    return call;
                }
                return new WordExpr(t.Text);
            case TokenKind.Punct when t.Is('['):
                Take();
                return new ListExpr(ParseExpressionList(']'));
            case TokenKind.Punct when t.Is('{'):
                Take();
                return new StructExpr(ParseExpressionList('}'));
            default:
                throw Error($"expected an expression, found {t}");
        }
    }

    private List<Expr> ParseExpressionList(char close)
    {
        var items = new List<Expr>();
        if (Current.Is(close))
        {
            Take();
            return items;
        }
        items.Add(ParseExpression());
        while (Current.Is(','))
        {
            Take();
            items.Add(ParseExpression());
        }
        Expect(close, "to close the list");
        return items;
    }
}

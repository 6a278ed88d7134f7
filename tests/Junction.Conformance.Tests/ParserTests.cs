using Junction.Conformance.Parsing;

namespace Junction.Conformance.Tests;

public class ParserTests
{
    private static Script Parse(string source) => ScriptParser.Parse("test.pkt", source);

    private static T Single<T>(string source) where T : ScriptEvent => Assert.IsType<T>(Assert.Single(Parse(source).Events));

    [Theory]
    [InlineData("0 close(3) = 0", (int)TimeKind.Absolute, 0L)]
    [InlineData("0.100 close(3) = 0", (int)TimeKind.Absolute, 100_000L)]
    [InlineData("+0.1 close(3) = 0", (int)TimeKind.Relative, 100_000L)]
    [InlineData("+.1 close(3) = 0", (int)TimeKind.Relative, 100_000L)]
    [InlineData("+2 close(3) = 0", (int)TimeKind.Relative, 2_000_000L)]
    public void Parses_absolute_and_relative_times_in_microseconds(string line, int kind, long micros)
    {
        SyscallEvent e = Single<SyscallEvent>(line);
        Assert.Equal((TimeKind)kind, e.Time.Kind);
        Assert.Equal(micros, e.Time.Micros);
    }

    [Fact]
    public void Parses_any_time_and_ranges_on_outbound_packets()
    {
        Script script = Parse("""
            * > . 1:1(0) ack 1
            0.1~0.3 > . 1:1(0) ack 1
            +0.2~+0.4 > . 1:1(0) ack 1
            """);
        Assert.Equal(new EventTime(TimeKind.Any, 0), script.Events[0].Time);
        Assert.Equal(new EventTime(TimeKind.AbsoluteRange, 100_000, 300_000), script.Events[1].Time);
        Assert.Equal(new EventTime(TimeKind.RelativeRange, 200_000, 400_000), script.Events[2].Time);
    }

    [Theory]
    [InlineData("* close(3) = 0", "event time <star> can only be used with outbound packets")]
    [InlineData("0.1~0.2 < . 1:1(0) ack 1 win 100", "event time range can only be used with outbound packets")]
    [InlineData("0.3~0.2 > . 1:1(0) ack 1", "time range is backwards")]
    [InlineData("0 < . 1:1(0) ack 1", "window must be specified for inbound packets")]
    [InlineData("0 < . 1:1(0) ack 1 win 10 <...>", "<...> for TCP options can only be used with outbound packets")]
    [InlineData("0 > P. 1:100(1000) ack 1", "inconsistent TCP sequence numbers and payload size")]
    [InlineData("0 > Z 1:1(0)", "invalid TCP flag 'Z' in 'Z'")]
    [InlineData("0 > . 1:1(0) ack 1 <mss 99999>", "mss value out of range")]
    [InlineData("0 > . 1:1(0) ack 1 <bogus 1>", "unknown TCP option 'bogus'")]
    public void Rejects_semantic_errors_with_the_line(string line, string message)
    {
        var e = Assert.Throws<ScriptSyntaxException>(() => Parse("// comment\n" + line));
        Assert.Equal(2, e.Line);
        Assert.Equal(message, e.Reason);
    }

    [Fact]
    public void Parses_an_inbound_syn_with_options()
    {
        var e = Single<PacketEvent>("+.1 < S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop,nop,wscale 7>");
        var p = Assert.IsType<TcpPacketSpec>(e.Packet);
        Assert.Equal(PacketDirection.Inbound, p.Direction);
        Assert.Equal(SegmentFlags.Syn, p.Flags);
        Assert.Equal(0u, p.StartSequence);
        Assert.Equal(0, p.PayloadLength);
        Assert.Equal(65535, p.Window);
        Assert.Equal<TcpOptionSpec>([new MssOption(1460), new SackPermittedOption(), new NopOption(), new NopOption(), new NopOption(), new WindowScaleOption(7)], p.Options!);
    }

    [Theory]
    [InlineData("S.", (int)(SegmentFlags.Syn | SegmentFlags.Ack))]
    [InlineData(".", (int)(SegmentFlags.Ack))]
    [InlineData("P.", (int)(SegmentFlags.Psh | SegmentFlags.Ack))]
    [InlineData("F.", (int)(SegmentFlags.Fin | SegmentFlags.Ack))]
    [InlineData("FP.", (int)(SegmentFlags.Fin | SegmentFlags.Psh | SegmentFlags.Ack))]
    [InlineData("R", (int)(SegmentFlags.Rst))]
    [InlineData("R.", (int)(SegmentFlags.Rst | SegmentFlags.Ack))]
    [InlineData("SEW", (int)(SegmentFlags.Syn | SegmentFlags.Ece | SegmentFlags.Cwr))]
    [InlineData("-", (int)(SegmentFlags.None))]
    public void Parses_flags(string flags, int expected)
    {
        var p = Assert.IsType<TcpPacketSpec>(Single<PacketEvent>($"0 > {flags} 1:1(0)").Packet);
        Assert.Equal((SegmentFlags)expected, p.Flags);
    }

    [Fact]
    public void Parses_an_outbound_data_segment_with_ack_window_and_timestamps()
    {
        var p = Assert.IsType<TcpPacketSpec>(Single<PacketEvent>("+0 > P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 100 ecr 200>").Packet);
        Assert.Equal(PacketDirection.Outbound, p.Direction);
        Assert.Equal(1u, p.StartSequence);
        Assert.Equal(1000, p.PayloadLength);
        Assert.Equal(1u, p.AckNumber);
        Assert.Equal(257, p.Window);
        Assert.Equal<TcpOptionSpec>([new NopOption(), new NopOption(), new TimestampOption(100, 200)], p.Options!);
    }

    [Fact]
    public void Outbound_packet_without_window_or_options_leaves_the_window_unchecked_and_expects_no_options()
    {
        var p = Assert.IsType<TcpPacketSpec>(Single<PacketEvent>("+0 > . 1:1(0) ack 1").Packet);
        Assert.Null(p.Window);
        Assert.NotNull(p.Options);
        Assert.Empty(p.Options);
        var unchecked_ = Assert.IsType<TcpPacketSpec>(Single<PacketEvent>("+0 > S 0:0(0) <...>").Packet);
        Assert.True(unchecked_.OptionsUnchecked);
    }

    [Fact]
    public void Parses_several_sack_blocks_and_the_urgent_pointer()
    {
        var p = Assert.IsType<TcpPacketSpec>(Single<PacketEvent>("+0 < . 1:1(0) ack 1 win 257 urg 3 <nop,nop,sack 1461:2921 4381:5841>").Packet);
        Assert.Equal(3, p.UrgentPointer);
        var sack = Assert.IsType<SackOption>(p.Options![2]);
        Assert.Equal([new SackRange(1461, 2921), new SackRange(4381, 5841)], sack.Blocks);
    }

    [Fact]
    public void Parses_ecn_ip_info_and_explicit_ports()
    {
        var p = Assert.IsType<TcpPacketSpec>(Single<PacketEvent>("+0 < [ect0] 40001>8080 . 1:1(0) ack 1 win 10").Packet);
        Assert.Equal(EcnSpec.Ect0, p.Ip.Ecn);
        Assert.Equal(40001, p.SourcePort);
        Assert.Equal(8080, p.DestinationPort);
    }

    [Fact]
    public void Parses_syscalls_with_arguments_results_and_errno()
    {
        Script script = Parse("""
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
            +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
            +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
            +0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
            +0 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1
            +0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
            """);
        var socket = ((SyscallEvent)script.Events[0]).Call;
        Assert.Equal("socket", socket.Name);
        Assert.Equal<Expr>([new EllipsisExpr(), new WordExpr("SOCK_STREAM"), new WordExpr("IPPROTO_TCP")], socket.Arguments);
        Assert.Equal(new IntExpr(3), socket.Result);

        var setsockopt = ((SyscallEvent)script.Events[1]).Call;
        Assert.Equal("[1]", setsockopt.Arguments[3].ToString());

        var fcntl = ((SyscallEvent)script.Events[2]).Call;
        Assert.Equal(new OrExpr(new WordExpr("O_RDWR"), new WordExpr("O_NONBLOCK")), fcntl.Arguments[2]);

        var connect = ((SyscallEvent)script.Events[3]).Call;
        Assert.Equal(new IntExpr(-1), connect.Result);
        Assert.Equal("EINPROGRESS", connect.Errno);
        Assert.Equal("Operation now in progress", connect.Note);

        var linger = Assert.IsType<StructExpr>(((SyscallEvent)script.Events[4]).Call.Arguments[3]);
        Assert.Equal(new IntExpr(0), linger.Field("linger"));

        var poll = ((SyscallEvent)script.Events[5]).Call;
        var pollfd = Assert.IsType<StructExpr>(Assert.Single(Assert.IsType<ListExpr>(poll.Arguments[0]).Items));
        Assert.Equal(new WordExpr("POLLIN"), pollfd.Field("revents"));
    }

    [Fact]
    public void Parses_a_blocking_call_end_time()
    {
        var e = Single<SyscallEvent>("+0...0.200 accept(3, ..., ...) = 4");
        Assert.Equal(new EventTime(TimeKind.Relative, 0), e.Time);
        Assert.Equal(200_000, e.Call.BlockingEndMicros);
    }

    [Fact]
    public void Parses_options_commands_code_and_comments()
    {
        Script script = Parse("""
            --tolerance_usecs=10000
            --ip_version=ipv4 // trailing comment
            --tcp_ts_ecr_scaled
            /* a block
               comment */
            `../common/defaults.sh`
            0 `sysctl -q net.ipv4.tcp_sack=0`
            +0 %{ assert tcpi_snd_cwnd == 10 }%
            """);
        Assert.Equal([new ScriptOption(1, "tolerance_usecs", "10000"), new ScriptOption(2, "ip_version", "ipv4"), new ScriptOption(3, "tcp_ts_ecr_scaled", null)], script.Options);
        var untimed = Assert.IsType<CommandEvent>(script.Events[0]);
        Assert.Equal(TimeKind.None, untimed.Time.Kind);
        Assert.Equal("../common/defaults.sh", untimed.CommandLine);
        Assert.Equal(6, untimed.Line);
        var timed = Assert.IsType<CommandEvent>(script.Events[1]);
        Assert.Equal("sysctl -q net.ipv4.tcp_sack=0", timed.CommandLine);
        Assert.Equal(7, timed.Line);
        var code = Assert.IsType<CodeEvent>(script.Events[2]);
        Assert.Contains("tcpi_snd_cwnd", code.Code, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_the_line_of_the_event_for_each_event()
    {
        Script script = Parse("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n\n// c\n+.1 < S 0:0(0) win 100\n+0 > S. 0:0(0) ack 1 <...>\n");
        Assert.Equal([1, 4, 5], script.Events.Select(e => e.Line));
    }

    [Fact]
    public void Parses_udp_and_icmp_packets_for_clear_reporting()
    {
        Script script = Parse("""
            0 < udp (100)
            +0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]
            """);
        Assert.Equal(100, Assert.IsType<UdpPacketSpec>(((PacketEvent)script.Events[0]).Packet).PayloadLength);
        var icmp = Assert.IsType<IcmpPacketSpec>(((PacketEvent)script.Events[1]).Packet);
        Assert.Equal(("unreachable", "frag_needed", (int?)1200), (icmp.Type, icmp.Code, icmp.Mtu));
    }

    [Fact]
    public void Unterminated_constructs_fail_with_a_syntax_error()
    {
        Assert.Throws<ScriptSyntaxException>(() => Parse("0 `sysctl"));
        Assert.Throws<ScriptSyntaxException>(() => Parse("0 close(3 = 0"));
        Assert.Throws<ScriptSyntaxException>(() => Parse("0 > S 0:0(0) <mss 1460"));
    }
}

using Junction.Conformance.Parsing;
using Junction.Conformance.Running;

namespace Junction.Conformance.Tests;

/// <summary>tcp_info in scripts, socket buffer sizes as Linux reports them, fd numbering and the first event's time.</summary>
public class TcpInfoTests
{
    private const string Handshake = """
        0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
        +0 bind(3, ..., ...) = 0
        +0 listen(3, 1) = 0
        +.1 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
        +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 7>
        +.1 < . 1:1(0) ack 1 win 257
        +0 accept(3, ..., ...) = 4

        """;

    private static ScriptResult Run(string source) => ConformanceRunner.Run(ScriptParser.Parse("inline.pkt", source), new RunnerOptions());

    [Fact]
    public void Code_block_sees_the_accepted_connection()
    {
        ScriptResult result = Run(Handshake + "+0 %{ assert tcpi_snd_cwnd == 10 and tcpi_snd_mss == 1000 and tcpi_state == TCP_ESTABLISHED }%\n");
        Assert.True(result.Passed, result.Describe());
    }

    [Fact]
    public void Code_block_with_a_wrong_value_fails_at_the_assert_line()
    {
        ScriptResult result = Run(Handshake + "+0 %{\nassert tcpi_snd_cwnd == 10\nassert tcpi_snd_mss == 1460, tcpi_snd_mss\n}%\n");
        Assert.False(result.Passed);
        Assert.Equal(10, result.Line);
        Assert.Contains("assertion failed: tcpi_snd_mss == 1460: 1000", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Unacked_counts_segments_in_flight()
    {
        ScriptResult result = Run(Handshake + """
            +0 write(4, ..., 2500) = 2500
            +0 > P. 1:2501(2500) ack 1
            +0 %{ assert tcpi_unacked == 3, tcpi_unacked }%
            +.1 < . 1:1(0) ack 2001 win 257
            +0 %{ assert tcpi_unacked == 1 and tcpi_bytes_acked == 2000, (tcpi_unacked, tcpi_bytes_acked) }%
            """);
        Assert.True(result.Passed, result.Describe());
    }

    [Fact]
    public void Field_junction_does_not_track_fails_as_not_provided()
    {
        ScriptResult result = Run(Handshake + "+0 %{ assert tcpi_segs_out == 2 }%\n");
        Assert.False(result.Passed);
        Assert.True(result.Unsupported);
        Assert.Equal(8, result.Line);
        Assert.Contains("tcpi_segs_out is not provided by Junction", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_block_before_any_socket_fails_clearly()
    {
        ScriptResult result = Run("0 %{ assert tcpi_snd_cwnd == 10 }%\n");
        Assert.False(result.Passed);
        Assert.Contains("no open socket to take tcp_info from", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Getsockopt_tcp_info_checks_each_named_field()
    {
        Assert.True(Run(Handshake + "+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_snd_cwnd=10, tcpi_snd_mss=1000}, [104]) = 0\n").Passed);
        ScriptResult wrong = Run(Handshake + "+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_snd_cwnd=11}, [104]) = 0\n");
        Assert.False(wrong.Passed);
        Assert.Contains("getsockopt TCP_INFO gave tcpi_snd_cwnd=10 but the script expects 11", wrong.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SO_SNDBUF", 21000, 42000)]
    [InlineData("SO_RCVBUF", 30000, 60000)]
    [InlineData("SO_SNDBUF", 100, 4608)]
    [InlineData("SO_RCVBUF", 100, 2304)]
    public void Buffer_size_set_by_the_script_reads_back_doubled_as_on_linux(string option, int set, int reported)
    {
        ScriptResult result = Run(Handshake + $"""
            +0 setsockopt(4, SOL_SOCKET, {option}, [{set}], 4) = 0
            +0 getsockopt(4, SOL_SOCKET, {option}, [{reported}], [4]) = 0
            """);
        Assert.True(result.Passed, result.Describe());
    }

    [Fact]
    public void Socket_takes_the_fd_number_the_script_gives()
    {
        ScriptResult result = Run("""
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4
            +0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
            +0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 connect(4, ..., ...) = -1 EINPROGRESS (Operation now in progress)
            +0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
            """);
        Assert.True(result.Passed, result.Describe());
    }

    [Fact]
    public void Socket_expected_on_an_open_fd_fails()
    {
        ScriptResult result = Run("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
        Assert.False(result.Passed);
        Assert.Equal(2, result.Line);
        Assert.Contains("is expected to return fd 3, which is still open", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Accept_takes_the_fd_number_the_script_gives()
    {
        ScriptResult result = Run(Handshake.Replace("accept(3, ..., ...) = 4", "accept(3, ..., ...) = 7", StringComparison.Ordinal)
            + "+0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n+0 close(7) = 0\n");
        Assert.True(result.Passed, result.Describe());
    }

    [Fact]
    public void First_event_may_be_written_relative_to_zero()
    {
        Assert.True(Run("+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n").Passed);
        ScriptResult late = Run("+1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
        Assert.False(late.Passed);
        Assert.Contains("first event should be at time 0", late.Failure, StringComparison.Ordinal);
    }
}

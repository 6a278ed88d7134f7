using Junction.Conformance.Running;

namespace Junction.Conformance.Tests;

/// <summary>Deliberately broken scripts must fail, pointing at the line that is wrong.</summary>
public class NegativeTests
{
    private static ScriptResult Run(string name, RunnerOptions? options = null) =>
        ConformanceRunner.RunFile(Path.Combine(AppContext.BaseDirectory, "Broken", name), options ?? new RunnerOptions());

    [Fact]
    public void Wrong_flag_fails_at_the_packet_line_naming_the_flag()
    {
        ScriptResult result = Run("wrong-flag.pkt");
        Assert.False(result.Passed);
        Assert.Equal(15, result.Line);
        Assert.Contains("bad outbound TCP PSH flag: expected 0 actual 1", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_ack_number_fails_at_the_packet_line_with_expected_and_actual()
    {
        ScriptResult result = Run("wrong-ack.pkt");
        Assert.False(result.Passed);
        Assert.Equal(12, result.Line);
        Assert.Contains("bad outbound TCP ack number: expected 1000 actual 1001", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_segment_fails_at_the_packet_line_saying_nothing_was_sent()
    {
        ScriptResult result = Run("missing-segment.pkt");
        Assert.False(result.Passed);
        Assert.Equal(11, result.Line);
        Assert.Contains("but the stack sent nothing", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_return_value_fails_at_the_call_line()
    {
        ScriptResult result = Run("wrong-return.pkt");
        Assert.False(result.Passed);
        Assert.Equal(13, result.Line);
        Assert.Contains("read() returned 500 but the script expects 1000", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Call_that_never_returns_stops_at_the_simulated_time_limit()
    {
        ScriptResult result = Run("never-returns.pkt", new RunnerOptions { SimulatedTimeLimitMicros = 30_000_000 });
        Assert.False(result.Passed);
        Assert.Equal(11, result.Line);
        Assert.Contains("read() never returned", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_knob_is_reported_as_not_applied_and_fails_in_strict_mode()
    {
        var script = Parsing.ScriptParser.Parse("inline.pkt", "`sysctl -q net.ipv4.tcp_frto=2`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
        ScriptResult lenient = ConformanceRunner.Run(script, new RunnerOptions());
        Assert.True(lenient.Passed);
        Assert.Contains(lenient.Notes, n => n.Contains("tcp_frto=2", StringComparison.Ordinal));
        ScriptResult strict = ConformanceRunner.Run(script, new RunnerOptions { Strict = true });
        Assert.False(strict.Passed);
        Assert.True(strict.Unsupported);
        Assert.Equal(1, strict.Line);
    }

    [Theory]
    [InlineData("`sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=0`")]
    [InlineData("`../common/set_sysctls.py /proc/sys/net/ipv4/tcp_timestamps=0 /proc/sys/net/ipv4/tcp_sack=0`")]
    public void Known_knob_changes_the_stack_settings_whether_set_by_sysctl_or_by_set_sysctls(string knobs)
    {
        var script = Parsing.ScriptParser.Parse("inline.pkt", knobs + """

            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
            +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
            +0 > S 0:0(0) <mss 1460,nop,wscale 7>
            """);
        ScriptResult result = ConformanceRunner.Run(script, new RunnerOptions());
        Assert.True(result.Passed, result.Describe());
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Unsupported_system_call_is_reported_as_unsupported()
    {
        var script = Parsing.ScriptParser.Parse("inline.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 epoll_create(1) = 4\n");
        ScriptResult result = ConformanceRunner.Run(script, new RunnerOptions());
        Assert.False(result.Passed);
        Assert.True(result.Unsupported);
        Assert.Equal(2, result.Line);
        Assert.Contains("unsupported: system call epoll_create()", result.Failure, StringComparison.Ordinal);
    }
}

using Junction.Conformance.Running;
using Junction.Conformance.Running.Python;

namespace Junction.Conformance.Tests;

/// <summary>The Python subset of <c>%{ }%</c> blocks: Python's results, and a clear failure at the right line otherwise.</summary>
public class PythonBlockTests
{
    private static PythonEvaluator Evaluator() => new((name, _) => name == "tcpi_snd_cwnd" ? 10 : name == "TCP_CA_Open" ? 0 : null);

    private static ScriptFailure Fails(string code, int firstLine = 20) =>
        Assert.Throws<ScriptFailure>(() => Evaluator().Run(code, firstLine));

    [Theory]
    [InlineData("assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd")]
    [InlineData("assert 5 <= tcpi_snd_cwnd <= 10")]
    [InlineData("assert not 11 <= tcpi_snd_cwnd <= 20")]
    [InlineData("assert tcpi_snd_cwnd == 9 or tcpi_snd_cwnd == 10")]
    [InlineData("assert (tcpi_snd_cwnd & 0x2) != 0 and tcpi_snd_cwnd | 1 == 11")]
    [InlineData("assert tcpi_snd_cwnd * 3 - 2 == 28 and tcpi_snd_cwnd // 3 == 3 and tcpi_snd_cwnd % 3 == 1")]
    [InlineData("assert -7 // 2 == -4 and -7 % 2 == 1 and 1 << 4 == 16 and ~0 == -1")]
    [InlineData("assert 0x7fffffff == 2147483647 and 0b101 == 5 and 0o17 == 15 and 1_000 == 1000")]
    [InlineData("assert 'cwnd=%d' % tcpi_snd_cwnd == 'cwnd=10'")]
    [InlineData("assert '%d/%s' % (1, 'x') == '1/x'")]
    [InlineData("assert True and not False and TCP_CA_Open == 0")]
    public void True_assertions_pass(string code) => Evaluator().Run(code, 1);

    [Fact]
    public void Failed_assert_names_its_line_the_test_and_the_message()
    {
        ScriptFailure failure = Fails("\nassert tcpi_snd_cwnd == 10\nassert tcpi_snd_cwnd == 12, 'cwnd=%d' % tcpi_snd_cwnd\n");
        Assert.Equal(22, failure.Line);
        Assert.Equal("assertion failed: tcpi_snd_cwnd == 12: cwnd=10", failure.Message);
    }

    [Fact]
    public void Chained_comparison_fails_when_any_link_fails() =>
        Assert.Contains("assertion failed", Fails("assert 1 <= tcpi_snd_cwnd <= 9").Message, StringComparison.Ordinal);

    [Fact]
    public void Message_is_evaluated_only_when_the_assert_fails() =>
        Evaluator().Run("assert tcpi_snd_cwnd == 10, undefined_name", 1);

    [Fact]
    public void Variables_live_on_into_later_blocks_and_statements_split_on_semicolons()
    {
        PythonEvaluator evaluator = Evaluator();
        evaluator.Run("print(tcpi_snd_cwnd); cwnd = 8", 1);
        evaluator.Run("cwnd += 2; assert tcpi_snd_cwnd == cwnd, tcpi_snd_cwnd", 2);
        Assert.Equal(["10"], evaluator.Printed);
        Assert.Throws<ScriptFailure>(() => evaluator.Run("cwnd += 1; assert tcpi_snd_cwnd == cwnd", 3));
    }

    [Fact]
    public void Backslash_continuation_and_comments_are_understood() =>
        Evaluator().Run("assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd; \\\n   assert 1 == 1  # a comment\n", 1);

    [Theory]
    [InlineData("assert no_such_name == 1", "python: name 'no_such_name' is not defined")]
    [InlineData("assert tcpi_snd_cwnd == ", "python: unexpected end of statement")]
    [InlineData("assert tcpi_snd_cwnd = 10", "python: unexpected '='")]
    [InlineData("if tcpi_snd_cwnd: pass", "python: unsupported statement starting with 'if' (only assert, print, assignments and pass)")]
    [InlineData("assert tcpi_snd_cwnd == 1.5", "python: floating-point literals are not supported")]
    [InlineData("assert tcpi_snd_cwnd / 2 == 5", "python: '/' (true division) gives a float, which is not supported; use //")]
    [InlineData("assert tcpi_snd_cwnd == 'ten' + 1", "python: unsupported operand types for +: str and int")]
    [InlineData("assert 1 < 'a'", "python: cannot compare int < str")]
    [InlineData("assert len(x) == 1", "python: calls, indexing and attributes are not supported ('(' after an expression)")]
    [InlineData("tcpi_snd_cwnd = 3", "python: cannot assign to tcpi_snd_cwnd (tcp_info fields are set by the runner)")]
    [InlineData("assert 0x7fffffffffffffff + 1 > 0", "python: integer result beyond 64 bits is not supported")]
    public void Unsupported_or_wrong_code_fails_naming_the_line(string code, string message)
    {
        ScriptFailure failure = Fails("\n" + code);
        Assert.Equal(21, failure.Line);
        Assert.Equal(message, failure.Message);
    }
}

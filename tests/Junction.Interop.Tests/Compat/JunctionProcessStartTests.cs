using System.Diagnostics;
using Junction.Compat;
using Junction.Interop.Tests.Tcp;

namespace Junction.Interop.Tests.Compat;

/// <summary>How <see cref="JunctionProcess.Start"/> reports what stops a program from starting.</summary>
[Collection(KernelInterop.Name)]
public sealed class JunctionProcessStartTests
{
    [Fact]
    public async Task Start_says_in_one_sentence_that_the_native_launcher_is_missing_and_how_to_get_it()
    {
        await using CompatLab lab = CompatLab.Start();
        string? saved = Environment.GetEnvironmentVariable("JUNCTION_LAUNCH");
        Environment.SetEnvironmentVariable("JUNCTION_LAUNCH", "/nonexistent/junction-launch");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => JunctionProcess.Start(new ProcessStartInfo("true"), lab.Junction.Instance));
            Assert.StartsWith("The native launcher is missing", error.Message, StringComparison.Ordinal);
            Assert.Contains("JUNCTION_LAUNCH", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("JUNCTION_LAUNCH", saved);
        }
    }

    [Fact]
    public async Task A_program_that_does_not_exist_exits_127_with_the_launchers_reason()
    {
        await using CompatLab lab = CompatLab.Start();
        JunctionProcess missing = lab.Run("/nonexistent/program");
        await missing.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(127, missing.Process.ExitCode);
        Assert.Contains("cannot run /nonexistent/program", lab.OutputOf(missing), StringComparison.Ordinal);
        Assert.Equal(0, missing.Statistics.CaughtCalls);
    }
}

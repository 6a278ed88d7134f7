using System.Diagnostics;

namespace Junction.Cli.Tests;

/// <summary>Runs the built <c>junction</c> program (next to the test assembly) as a child process.</summary>
internal static class JunctionCommand
{
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, params string[] arguments)
    {
        using Process process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"junction {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    public static Process Start(params string[] arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "junction.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        return Process.Start(info)!;
    }
}

using System.Diagnostics;
using System.Text;

namespace Junction.Tests.Packaging;

/// <summary>Runs a tool (dotnet, curl) to completion and keeps what it printed.</summary>
internal static class Command
{
    /// <summary>
    /// Runs <paramref name="fileName"/> in <paramref name="workingDirectory"/> with <paramref name="environment"/> added
    /// (a null value removes the variable); returns the exit code and standard output followed by standard error.
    /// The timeout only catches a hang.
    /// </summary>
    public static (int ExitCode, string Output) Run(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        using Process process = Start(fileName, arguments, workingDirectory, environment, redirectInput: false);
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        TimeSpan patience = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(patience))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"'{Describe(fileName, arguments)}' did not finish within {patience}:\n{output}{error}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.ToString() + error);
    }

    /// <summary>Starts <paramref name="fileName"/> with redirected output (and input when asked); the caller reads and waits.</summary>
    public static Process Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, bool redirectInput)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // A dotnet started from a test host inherits the host's MSBuild variables, which would point a nested build
        // at the test run's MSBuild instead of its own.
        foreach (string name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
        {
            foreach ((string name, string? value) in environment)
            {
                if (value is null) start.Environment.Remove(name);
                else start.Environment[name] = value;
            }
        }
        return Process.Start(start) ?? throw new InvalidOperationException($"'{fileName}' did not start.");
    }

    public static string Describe(string fileName, IEnumerable<string> arguments) => $"{fileName} {string.Join(' ', arguments)}";
}

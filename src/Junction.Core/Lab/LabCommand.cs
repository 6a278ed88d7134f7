using System.Diagnostics;
using System.Text;

namespace Junction.Lab;

/// <summary>Runs the administration tools the lab drives (<c>ip</c>, <c>nft</c>) and finds them on the machine.</summary>
internal static class LabCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // sbin directories are often missing from PATH in containers and sudo-less shells; the tools live there.
    private static readonly string[] ExtraDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>The full path of <paramref name="tool"/>, or null when it is not installed.</summary>
    public static string? Find(string tool)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (string directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraDirectories))
        {
            string candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The full path of <paramref name="tool"/>; throws <paramref name="installHint"/> when it is missing.</summary>
    public static string Require(string tool, string installHint) =>
        Find(tool) ?? throw new InvalidOperationException(installHint);

    /// <summary>Runs a command to completion and returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">It exited with a non-zero status (the message carries its error output) or hung.</exception>
    public static string Run(string fileName, IReadOnlyList<string> arguments, string? standardInput = null)
    {
        CommandResult result = TryRun(fileName, arguments, standardInput);
        if (result.ExitCode != 0)
        {
            // Batch input says which command of the batch failed; show it in one line.
            string input = standardInput is null ? "" : $" on input [{string.Join("; ", standardInput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}]";
            throw new InvalidOperationException($"'{Describe(fileName, arguments)}'{input} failed (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }
        return result.StandardOutput;
    }

    /// <summary>Runs a command to completion, whatever its exit status.</summary>
    public static CommandResult TryRun(string fileName, IReadOnlyList<string> arguments, string? standardInput = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new InvalidOperationException($"'{Describe(fileName, arguments)}' did not finish within {Timeout.TotalSeconds} s.");
        }
        process.WaitForExit(); // flushes the asynchronous readers
        lock (output) lock (error) return new CommandResult(process.ExitCode, output.ToString(), error.ToString());
    }

    private static string Describe(string fileName, IReadOnlyList<string> arguments) =>
        Path.GetFileName(fileName) + " " + string.Join(' ', arguments);

    /// <summary>What a finished command left behind.</summary>
    internal readonly record struct CommandResult(int ExitCode, string StandardOutput, string StandardError);
}

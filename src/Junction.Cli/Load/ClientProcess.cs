using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Junction.Lab;

namespace Junction.Cli.Load;

/// <summary>
/// Runs a load in the lab's client namespace as a child process (this same program, hidden <c>load</c> command), so
/// the client's CPU is not the server's: the child prints <see cref="WindowStart"/> and <see cref="WindowEnd"/> around
/// its measured window, and the parent reads its own CPU time at each.
/// </summary>
internal static class ClientProcess
{
    public const string WindowStart = "window-start";
    public const string WindowEnd = "window-end";
    public const string ResultPrefix = "result ";

    public static async Task<MeasuredLoad> RunAsync(JunctionLab lab, LoadRequest request, Action onWindowStart, Action onWindowEnd, CancellationToken cancellationToken)
    {
        (string file, List<string> arguments) = Self();
        arguments.AddRange([
            "load", Scenarios.Name(request.Scenario),
            "--target", request.Target.ToString(),
            "--connections", request.Connections.ToString(CultureInfo.InvariantCulture),
            "--warmup", request.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--duration", request.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--udp-senders", request.UdpSenders.ToString(CultureInfo.InvariantCulture),
        ]);
        using LabProcess child = lab.StartProcess(LabSide.Client, file, [.. arguments]);
        TimeSpan? cpuStart = null, cpuEnd = null;
        TimeSpan limit = request.Warmup + request.Duration + TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (!child.HasExited || cpuEnd is null)
        {
            string output = child.StandardOutput;
            if (cpuStart is null && output.Contains(WindowStart, StringComparison.Ordinal))
            {
                cpuStart = ServerCpu.Now();
                onWindowStart();
            }
            if (cpuStart is not null && cpuEnd is null && output.Contains(WindowEnd, StringComparison.Ordinal))
            {
                cpuEnd = ServerCpu.Now();
                onWindowEnd();
            }
            if (child.HasExited) break;
            if (clock.Elapsed > limit) throw new TimeoutException($"The load generator did not finish within {limit.TotalSeconds:F0} s: {child.StandardError.Trim()}");
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
        child.WaitForExit(TimeSpan.FromSeconds(10));
        string text = child.StandardOutput;
        int at = text.IndexOf(ResultPrefix, StringComparison.Ordinal);
        if (child.ExitCode != 0 || at < 0)
            throw new InvalidOperationException($"The load generator failed (exit {child.ExitCode}): {FirstLine(child.StandardError)}");
        string json = text[(at + ResultPrefix.Length)..].Split('\n')[0];
        LoadFigures figures = JsonSerializer.Deserialize(json, LoadFiguresJson.Default.LoadFigures) ?? throw new InvalidOperationException("The load generator printed no result.");
        double? cpu = cpuStart is { } s && cpuEnd is { } e ? (e - s).TotalSeconds : null;
        return new MeasuredLoad(figures, cpu);
    }

    /// <summary>How to start this program again: its apphost, or <c>dotnet junction.dll</c>.</summary>
    public static (string File, List<string> Arguments) Self()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which program this is.");
        if (Path.GetFileNameWithoutExtension(process) == "dotnet") return (process, [typeof(ClientProcess).Assembly.Location]);
        return (process, []);
    }

    private static string FirstLine(string text)
    {
        string trimmed = text.Trim();
        int newline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? trimmed : trimmed[..newline];
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Junction.Cli.Services;
using Junction.Lab;

namespace Junction.Cli.Load;

/// <summary>The http-plaintext load through wrk in the lab's client namespace (when it is installed).</summary>
internal static partial class Wrk
{
    public const string InstallHint = "apt-get install -y wrk";

    /// <summary>wrk's path, or null when it is not installed.</summary>
    public static string? Find()
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/bin", "/usr/local/bin"]))
        {
            string candidate = Path.Combine(directory, "wrk");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static async Task<MeasuredLoad> RunAsync(JunctionLab lab, string wrk, LoadRequest request, CancellationToken cancellationToken)
    {
        string url = $"http://{request.Target}{HttpPlaintext.Path}";
        int threads = Math.Max(1, Math.Min(request.Connections, Environment.ProcessorCount));
        string? script = null;
        if (request.Pipeline > 1)
        {
            script = Path.Combine(Path.GetTempPath(), $"junction-wrk-pipeline-{Environment.ProcessId}.lua");
            await File.WriteAllTextAsync(script, PipelineScript, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            string[] extra = script is null ? [] : ["-s", script];
            string[] scriptArguments = script is null ? [] : ["--", request.Pipeline.ToString(CultureInfo.InvariantCulture)];
            // Warm-up: a run of its own whose figures are dropped.
            if (request.Warmup > TimeSpan.Zero) await RunOnceAsync(lab, wrk, url, threads, request.Connections, request.Warmup, extra, scriptArguments, cancellationToken).ConfigureAwait(false);
            TimeSpan before = ServerCpu.Now();
            string output = await RunOnceAsync(lab, wrk, url, threads, request.Connections, request.Duration, extra, scriptArguments, cancellationToken).ConfigureAwait(false);
            TimeSpan after = ServerCpu.Now();
            return new MeasuredLoad(Parse(output, request.Duration.TotalSeconds), (after - before).TotalSeconds);
        }
        finally
        {
            if (script is not null) File.Delete(script);
        }
    }

    /// <summary>
    /// The wrk Lua script for HTTP/1.1 pipelining: each request wrk sends is the depth (the script's argument) copies
    /// of the plain GET, so a connection has that many requests in flight; wrk counts every response.
    /// </summary>
    internal const string PipelineScript = """
        init = function(args)
          local depth = tonumber(args[1]) or 1
          local requests = {}
          for i = 1, depth do
            requests[i] = wrk.format()
          end
          pipelined = table.concat(requests)
        end

        request = function()
          return pipelined
        end
        """;

    /// <summary>Reads requests, p50 and p99 out of wrk's <c>--latency</c> report.</summary>
    internal static LoadFigures Parse(string output, double seconds)
    {
        Match requests = RequestsLine().Match(output);
        if (!requests.Success) throw new InvalidOperationException("wrk printed no request count: " + output.Trim());
        long errors = 0;
        foreach (Match error in ErrorsLine().Matches(output))
        {
            foreach (Capture capture in error.Groups["n"].Captures) errors += long.Parse(capture.Value, CultureInfo.InvariantCulture);
        }
        Match non2xx = Non2xxLine().Match(output);
        if (non2xx.Success) errors += long.Parse(non2xx.Groups["n"].Value, CultureInfo.InvariantCulture);
        return new LoadFigures
        {
            Operations = long.Parse(requests.Groups["n"].Value, CultureInfo.InvariantCulture),
            Seconds = double.Parse(requests.Groups["s"].Value, CultureInfo.InvariantCulture),
            P50Us = Percentile(output, "50%"),
            P99Us = Percentile(output, "99%"),
            Errors = errors,
            Generator = "wrk",
        };
    }

    private static double? Percentile(string output, string label)
    {
        foreach (Match match in PercentileLine().Matches(output))
        {
            if (match.Groups["p"].Value != label) continue;
            double value = double.Parse(match.Groups["v"].Value, CultureInfo.InvariantCulture);
            // wrk prints 0.00us when its histogram cannot place the percentile (seen with pipelined scripts): no figure.
            if (value == 0) return null;
            return match.Groups["u"].Value switch
            {
                "us" => value,
                "ms" => value * 1e3,
                "s" => value * 1e6,
                "m" => value * 60e6,
                _ => null,
            };
        }
        return null;
    }

    private static async Task<string> RunOnceAsync(JunctionLab lab, string wrk, string url, int threads, int connections, TimeSpan duration, string[] script, string[] scriptArguments, CancellationToken cancellationToken)
    {
        string seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
        using LabProcess process = lab.StartProcess(LabSide.Client, wrk,
            ["--latency", "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", seconds, .. script, url, .. scriptArguments]);
        while (!process.HasExited) await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        process.WaitForExit(TimeSpan.FromSeconds(5));
        if (process.ExitCode != 0) throw new InvalidOperationException($"wrk failed (exit {process.ExitCode}): {process.StandardError.Trim()}");
        return process.StandardOutput;
    }

    [GeneratedRegex(@"(?<n>\d+) requests in (?<s>[0-9.]+)s")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Socket errors: connect (?<n>\d+), read (?<n>\d+), write (?<n>\d+), timeout (?<n>\d+)")]
    private static partial Regex ErrorsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (?<n>\d+)")]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"^\s+(?<p>\d+%)\s+(?<v>[0-9.]+)(?<u>us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex PercentileLine();
}

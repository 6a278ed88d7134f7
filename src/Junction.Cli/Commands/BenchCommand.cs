using System.CommandLine;
using Junction.Cli.Bench;
using Junction.Cli.Load;
using Junction.Cli.Results;
using Spectre.Console;

namespace Junction.Cli.Commands;

/// <summary>
/// <c>junction bench SCENARIO|all</c>: each scenario against Junction and against the Linux kernel stack in the same
/// invocation, with the same load; a table, and with <c>--json FILE</c> the results in the documented schema.
/// </summary>
internal static class BenchCommand
{
    public static Command Build()
    {
        var scenario = new Argument<string>("scenario") { Description = "tcp-rr, tcp-bulk, udp-pps, http-plaintext or all." };
        scenario.AcceptOnlyFromAmong([.. Scenarios.All.Select(Scenarios.Name), "all"]);
        var duration = new Option<double>("--duration", "-d") { Description = "Measured seconds per side (after a 1 s warm-up).", DefaultValueFactory = _ => 5 };
        var connections = new Option<int?>("--connections", "-c") { Description = "Connections (default: 1 for tcp-rr and tcp-bulk, 32 for http-plaintext)." };
        var pipeline = new Option<int>("--pipeline") { Description = "http-plaintext: requests in flight per connection (HTTP/1.1 pipelining: a wrk Lua script, or batches of the built-in generator).", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file (schema in docs/benchmarks.md)." };
        var load = LoadOption();
        var mode = ServeCommand.XdpModeOption();
        var kthreads = ServeCommand.KthreadsOption();
        var spin = ServeCommand.SpinOption();
        var command = new Command("bench", "Benchmark a scenario on Junction and on Linux side by side (AF_XDP lab as root; virtual switch vs loopback otherwise).")
        {
            scenario, duration, connections, pipeline, json, load, mode, kthreads, spin,
        };
        command.SetAction((parse, cancellationToken) => Cli.GuardAsync(() =>
        {
            string name = parse.GetValue(scenario)!;
            var settings = new BenchSettings
            {
                Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
                Connections = parse.GetValue(connections),
                Pipeline = parse.GetValue(pipeline),
                Host = ServeCommand.Settings(parse.GetValue(mode), null, parse.GetValue(kthreads), parse.GetValue(spin)),
            };
            Scenario[] chosen = name == "all" ? Scenarios.All : [Scenarios.Parse(name)];
            return RunAsync(chosen, settings, parse.GetValue(load)!, parse.GetValue(json), cancellationToken);
        }));
        return command;
    }

    public static Option<string> LoadOption()
    {
        var load = new Option<string>("--load") { Description = "http-plaintext load generator: auto (wrk if installed, else built-in), wrk or builtin.", DefaultValueFactory = _ => "auto" };
        load.AcceptOnlyFromAmong("auto", "wrk", "builtin");
        return load;
    }

    private static async Task<int> RunAsync(Scenario[] scenarios, BenchSettings settings, string load, string? jsonPath, CancellationToken cancellationToken)
    {
        bool root = Environment.IsPrivilegedProcess;
        var notes = new List<string>();
        if (!root)
        {
            AnsiConsole.WriteLine(TargetFactory.NoRootSentence);
            if (scenarios.Contains(Scenario.UdpPps)) throw new PrerequisiteException("udp-pps needs root: its senders are Linux sockets in the lab's client namespace. Run it with sudo.");
        }
        string? wrk = scenarios.Contains(Scenario.HttpPlaintext) ? TargetFactory.ChooseWrk(load, notes.Add) : null;
        if (settings.Pipeline < 1) throw new PrerequisiteException("--pipeline must be at least 1.");
        await using IBenchTarget target = TargetFactory.Create(root, wrk);
        var report = new BenchReport(target.Environment, settings.Duration.TotalSeconds);
        report.Notes.AddRange(notes);
        if (!target.MeasuresServerCpu) report.Notes.Add("Server CPU is not reported: the load generator runs in the same process.");
        AnsiConsole.WriteLine(target.Description);
        foreach (string note in notes) AnsiConsole.WriteLine("note: " + note);
        foreach (Scenario scenario in scenarios)
        {
            ScenarioResult result = await ScenarioRunner.RunAsync(target, scenario, settings, status => AnsiConsole.WriteLine("  " + status + " ..."), cancellationToken).ConfigureAwait(false);
            report.Scenarios.Add(result);
        }
        ResultTable.Print(report);
        if (jsonPath is not null)
        {
            report.WriteJson(jsonPath);
            AnsiConsole.WriteLine($"JSON written to {jsonPath}");
        }
        return 0;
    }
}

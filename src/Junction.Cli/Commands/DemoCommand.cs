using System.CommandLine;
using System.Diagnostics;
using Junction.Cli.Bench;
using Junction.Cli.Load;
using Junction.Cli.Results;
using Spectre.Console;

namespace Junction.Cli.Commands;

/// <summary>
/// <c>junction demo</c>, the README's first command: the plaintext HTTP app served by Junction (AF_XDP) and then by
/// Kestrel on Linux sockets, over the same veth, driven by the same load from the client namespace; progress while
/// it runs, then a table, a JSON file and a chart.
/// </summary>
internal static class DemoCommand
{
    public static Command Build()
    {
        var duration = new Option<double>("--duration", "-d") { Description = "Measured seconds per server (after a 1 s warm-up).", DefaultValueFactory = _ => 10 };
        var connections = new Option<int>("--connections", "-c") { Description = "Concurrent HTTP connections.", DefaultValueFactory = _ => 32 };
        var output = new Option<string>("--out", "-o") { Description = "Directory for demo.json, demo.png and demo.svg.", DefaultValueFactory = _ => "junction-demo" };
        var load = BenchCommand.LoadOption();
        var command = new Command("demo", "Serve the same plaintext HTTP app on Junction and on Linux sockets, load both the same way, compare.")
        {
            duration, connections, output, load,
        };
        command.SetAction((parse, cancellationToken) => Cli.GuardAsync(() => RunAsync(
            TimeSpan.FromSeconds(parse.GetValue(duration)), parse.GetValue(connections), parse.GetValue(output)!, parse.GetValue(load)!, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(TimeSpan duration, int connections, string outputDirectory, string load, CancellationToken cancellationToken)
    {
        bool root = Environment.IsPrivilegedProcess;
        if (!root) AnsiConsole.WriteLine(TargetFactory.NoRootSentence);
        var notes = new List<string>();
        string? wrk = root ? TargetFactory.ChooseWrk(load, notes.Add) : null;
        await using IBenchTarget target = TargetFactory.Create(root, wrk);
        AnsiConsole.MarkupLine("[bold]Junction demo[/]: the plaintext HTTP app (\"Hello, World!\"), on Junction and on Linux, same load.");
        AnsiConsole.WriteLine(target.Description);
        foreach (string note in notes) AnsiConsole.WriteLine("note: " + note);
        var settings = new BenchSettings { Duration = duration, Connections = connections };
        var report = new BenchReport(target.Environment, duration.TotalSeconds);
        report.Notes.AddRange(notes);
        if (!target.MeasuresServerCpu) report.Notes.Add("Server CPU is not reported: without root the load generator runs in the same process as both servers.");
        report.Notes.Add("Both sides run the same ASP.NET Core app on Kestrel: Junction's transport (UseJunction, runtime kthreads that park when idle) against the Sockets transport.");

        ScenarioResult result = null!;
        double phaseSeconds = (settings.Warmup + duration).TotalSeconds;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                ProgressTask linuxTask = context.AddTask("Linux: Kestrel on Sockets", maxValue: phaseSeconds);
                ProgressTask junctionTask = context.AddTask(root ? "Junction: AF_XDP" : "Junction: virtual switch", maxValue: phaseSeconds);
                ProgressTask? current = null;
                var phaseClock = Stopwatch.StartNew();
                using var ticker = new CancellationTokenSource();
                Task ticking = Task.Run(async () =>
                {
                    while (!ticker.IsCancellationRequested)
                    {
                        if (current is { } task) task.Value = Math.Min(phaseSeconds, phaseClock.Elapsed.TotalSeconds);
                        try
                        {
                            await Task.Delay(200, ticker.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }
                    }
                }, CancellationToken.None);
                result = await ScenarioRunner.RunAsync(target, Scenario.HttpPlaintext, settings, status =>
                {
                    if (current is not null) current.Value = phaseSeconds;
                    current = status.EndsWith("Linux", StringComparison.Ordinal) ? linuxTask : junctionTask;
                    phaseClock.Restart();
                }, cancellationToken).ConfigureAwait(false);
                if (current is not null) current.Value = phaseSeconds;
                await ticker.CancelAsync().ConfigureAwait(false);
                await ticking.ConfigureAwait(false);
            }).ConfigureAwait(false);

        report.Scenarios.Add(result);
        ResultTable.Print(report);
        Directory.CreateDirectory(outputDirectory);
        string json = Path.Combine(outputDirectory, "demo.json");
        string png = Path.Combine(outputDirectory, "demo.png");
        string svg = Path.Combine(outputDirectory, "demo.svg");
        report.WriteJson(json);
        Chart.Save(result, target.Environment, png, svg);
        AnsiConsole.WriteLine($"Results: {json}; chart: {png} and {svg}");
        return 0;
    }
}

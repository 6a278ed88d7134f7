using System.Globalization;
using Spectre.Console;

namespace Junction.Cli.Results;

/// <summary>Prints a report's scenarios as a table: each measured field, Junction beside Linux, and Junction ÷ Linux.</summary>
internal static class ResultTable
{
    private static readonly (string Field, string Label, Func<SideFigures, double?> Get, string Format)[] Rows =
    [
        ("rps", "requests/s", f => f.Rps, "N0"),
        ("p50_us", "p50 latency (µs)", f => f.P50Us, "N1"),
        ("p99_us", "p99 latency (µs)", f => f.P99Us, "N1"),
        ("gbps", "throughput (Gbit/s)", f => f.Gbps, "N2"),
        ("pps", "datagrams/s received", f => f.Pps, "N0"),
        ("server_cpu_s_per_100k", "server CPU s / 100k ops", f => f.ServerCpuSPer100k, "N3"),
        ("server_cpu_s_per_gb", "server CPU s / GB received", f => f.ServerCpuSPerGb, "N3"),
    ];

    public static void Print(BenchReport report)
    {
        var table = new Table().Title($"[bold]Junction vs Linux[/] ({report.Environment})")
            .AddColumn("scenario").AddColumn("measure").AddColumn(new TableColumn("Junction").RightAligned())
            .AddColumn(new TableColumn("Linux").RightAligned()).AddColumn(new TableColumn("Junction ÷ Linux").RightAligned());
        foreach (ScenarioResult result in report.Scenarios)
        {
            bool first = true;
            foreach ((string _, string label, Func<SideFigures, double?> get, string format) in Rows)
            {
                double? junction = get(result.Junction);
                double? linux = get(result.Linux);
                if (junction is null && linux is null) continue;
                double? ratio = ScenarioResult.Ratio(junction, linux);
                table.AddRow(first ? result.Name : "", label, Format(junction, format), Format(linux, format), ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "×" : "-");
                first = false;
            }
            if (result.JunctionToJunction is not { } pair) continue;
            first = true;
            foreach ((string _, string label, Func<SideFigures, double?> get, string format) in Rows)
            {
                if (get(pair) is not { } value) continue;
                table.AddRow(first ? result.Name + " Junction↔Junction" : "", label, Format(value, format), "-", "-");
                first = false;
            }
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]Ratio = Junction ÷ Linux: above 1 is better for requests/s, throughput and datagrams/s; below 1 is better for latency and CPU.[/]");
        foreach (ScenarioResult result in report.Scenarios)
        {
            AnsiConsole.MarkupLine($"[grey]{result.Name}: Junction = {Markup.Escape(result.Junction.Server)}; Linux = {Markup.Escape(result.Linux.Server)}; load: {Markup.Escape(result.Linux.Generator)}.[/]");
            if (result.JunctionToJunction is { } pair)
                AnsiConsole.MarkupLine($"[grey]{result.Name} Junction↔Junction = {Markup.Escape(pair.Server)}; load: {Markup.Escape(pair.Generator)}.[/]");
            if (result.Junction.Errors + result.Linux.Errors > 0)
                AnsiConsole.MarkupLine($"[yellow]{result.Name}: errors Junction {result.Junction.Errors}, Linux {result.Linux.Errors}.[/]");
        }
        foreach (string note in report.Notes) AnsiConsole.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
    }

    private static string Format(double? value, string format) =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}

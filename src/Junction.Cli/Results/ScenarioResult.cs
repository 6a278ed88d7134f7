using Junction.Cli.Load;

namespace Junction.Cli.Results;

/// <summary>A scenario run against both stacks, with the Junction ÷ Linux ratio of every field both have.</summary>
internal sealed record ScenarioResult(Scenario Scenario, SideFigures Junction, SideFigures Linux)
{
    public string Name => Scenarios.Name(Scenario);

    /// <summary>Concurrent connections the load used (senders for udp-pps).</summary>
    public int Connections { get; init; }

    /// <summary>tcp-rr only: a Junction client stack pinging the Junction server (no Linux stack on the path); null elsewhere.</summary>
    public SideFigures? JunctionToJunction { get; init; }

    public static double? Ratio(double? junction, double? linux) =>
        junction is { } j && linux is { } l && l > 0 && double.IsFinite(j) && double.IsFinite(l) ? j / l : null;

    /// <summary>The ratios, by JSON field name, of the fields both sides measured.</summary>
    public IReadOnlyList<(string Field, double Value)> Ratios
    {
        get
        {
            var ratios = new List<(string, double)>();
            foreach ((string name, Func<SideFigures, double?> get) in Fields)
            {
                if (Ratio(get(Junction), get(Linux)) is { } ratio) ratios.Add((name, ratio));
            }
            return ratios;
        }
    }

    /// <summary>The measured fields in JSON order, with their JSON names.</summary>
    public static readonly (string Field, Func<SideFigures, double?> Get)[] Fields =
    [
        ("rps", f => f.Rps),
        ("p50_us", f => f.P50Us),
        ("p99_us", f => f.P99Us),
        ("gbps", f => f.Gbps),
        ("pps", f => f.Pps),
        ("server_cpu_s_per_100k", f => f.ServerCpuSPer100k),
        ("server_cpu_s_per_gb", f => f.ServerCpuSPerGb),
    ];
}

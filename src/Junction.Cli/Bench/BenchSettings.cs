using Junction.Cli.Hosting;

namespace Junction.Cli.Bench;

/// <summary>How long and how hard each side of a scenario is driven.</summary>
internal sealed record BenchSettings
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Connections for tcp-rr, tcp-bulk and http-plaintext; null: each scenario's default.</summary>
    public int? Connections { get; init; }

    /// <summary>http-plaintext requests in flight per connection (wrk, through a Lua script); 1: no pipelining.</summary>
    public int Pipeline { get; init; } = 1;

    public HostSettings Host { get; init; } = new();

    public int ConnectionsFor(Load.Scenario scenario) => Connections ?? scenario switch
    {
        Load.Scenario.HttpPlaintext => 32,
        _ => 1,
    };
}

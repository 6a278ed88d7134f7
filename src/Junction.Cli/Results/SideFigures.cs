namespace Junction.Cli.Results;

/// <summary>One side's measured figures in a scenario; null fields do not apply to it (or could not be measured).</summary>
internal sealed record SideFigures
{
    /// <summary>Requests or round trips per second.</summary>
    public double? Rps { get; init; }

    public double? P50Us { get; init; }

    public double? P99Us { get; init; }

    /// <summary>Gigabits per second of payload received by the server application.</summary>
    public double? Gbps { get; init; }

    /// <summary>Datagrams per second received by the server application.</summary>
    public double? Pps { get; init; }

    /// <summary>Datagrams per second the senders offered.</summary>
    public double? OfferedPps { get; init; }

    /// <summary>Server process CPU seconds per 100,000 operations: requests, round trips, or datagrams received.</summary>
    public double? ServerCpuSPer100k { get; init; }

    /// <summary>Server process CPU seconds per gigabyte (10^9 bytes) of payload received (bulk transfers).</summary>
    public double? ServerCpuSPerGb { get; init; }

    /// <summary>Operations that failed (non-200 responses, socket errors reported by wrk).</summary>
    public long Errors { get; init; }

    /// <summary>What served, e.g. "Junction HTTP/1.1 responder on AF_XDP (DriverCopy)".</summary>
    public string Server { get; init; } = "";

    /// <summary>What generated the load.</summary>
    public string Generator { get; init; } = "";
}

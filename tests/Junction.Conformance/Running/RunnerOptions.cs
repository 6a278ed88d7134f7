namespace Junction.Conformance.Running;

/// <summary>Limits and strictness for a run.</summary>
internal sealed record RunnerOptions
{
    /// <summary>Real time one script may take before it is stopped.</summary>
    public TimeSpan WallClockLimit { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Simulated time one script may reach (scripts about keepalive or TIME_WAIT need minutes).</summary>
    public long SimulatedTimeLimitMicros { get; init; } = 4L * 3600 * 1_000_000;

    /// <summary>Whether a knob or option the runner cannot apply fails the script instead of being noted.</summary>
    public bool Strict { get; init; }
}

namespace Junction.Cli.Load;

/// <summary>A load run's figures and, when the load ran in another process, the server's CPU seconds over the measured window.</summary>
internal sealed record MeasuredLoad(LoadFigures Figures, double? ServerCpuSeconds);

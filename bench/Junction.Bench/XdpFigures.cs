namespace Junction.Bench;

/// <summary>Round-trip percentiles in microseconds and how many round trips were measured.</summary>
internal readonly record struct LatencyFigure(double P50, double P99, double P999, double Max, long Count);

/// <summary>Datagrams per second the receiving application got, and how many per second the senders offered.</summary>
internal readonly record struct UdpFigure(double ReceivedPerSecond, double OfferedPerSecond);

/// <summary>The Linux-only figures, measured with no XDP program on the link.</summary>
internal sealed class XdpLinuxFigures
{
    public LatencyFigure? RoundTrip { get; set; }

    public double BulkGbps { get; set; } = double.NaN;

    public UdpFigure? Udp { get; set; }
}

/// <summary>The Junction figures of one XDP mode, and Linux round trips measured while both programs were attached.</summary>
internal sealed class XdpModeFigures(string requested)
{
    public string Requested => requested;

    public string? ServerMode { get; set; }

    public string? ClientMode { get; set; }

    public LatencyFigure? JunctionServerLinuxClient { get; set; }

    public LatencyFigure? JunctionJunction { get; set; }

    public LatencyFigure? LinuxLinuxWithXdp { get; set; }

    public double BulkGbps { get; set; } = double.NaN;

    public UdpFigure? Udp { get; set; }

    public bool? ClientKernelWorksWithXdp { get; set; }

    public List<string> Notes { get; } = [];
}

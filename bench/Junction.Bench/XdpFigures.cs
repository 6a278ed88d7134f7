using System.Globalization;

namespace Junction.Bench;

/// <summary>Round-trip percentiles in microseconds and how many round trips were measured.</summary>
internal readonly record struct LatencyFigure(double P50, double P99, double P999, double Max, long Count)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"p50 {P50:F1} us, p99 {P99:F1} us, p99.9 {P999:F1} us, max {Max:F1} us over {Count}");
}

/// <summary>Datagrams per second the receiving application got, and how many per second the senders offered.</summary>
internal readonly record struct UdpFigure(double ReceivedPerSecond, double OfferedPerSecond)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ReceivedPerSecond / 1e6:F3} Mpps received of {OfferedPerSecond / 1e6:F3} Mpps offered");
}

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

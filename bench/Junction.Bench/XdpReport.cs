using System.Globalization;
using System.Text.Json;

namespace Junction.Bench;

/// <summary>Collects the xdp benchmark's figures and prints them as tables (and optionally JSON), Junction beside Linux.</summary>
internal sealed class XdpReport(XdpBenchSettings settings)
{
    private readonly string _loadAtStart = LoadAverage();
    private readonly DateTime _started = DateTime.UtcNow;

    public XdpLinuxFigures Linux { get; } = new();

    public List<XdpModeFigures> Modes { get; } = [];

    private readonly List<string> _log = [];

    /// <summary>Prints a progress line now and keeps it for the JSON output.</summary>
    public void Line(string text)
    {
        Console.WriteLine(text);
        _log.Add(text);
    }

    public void PrintHeader()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Junction AF_XDP benchmark: {Environment.ProcessorCount} vCPUs, Linux {KernelRelease()}, .NET {Environment.Version}, {_started:u}"));
        Console.WriteLine($"Load average at start: {_loadAtStart}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Round trips: {settings.RoundTrips} measured after {settings.RoundTrips / 10} warm-up; bulk: {settings.BulkBytes >> 20} MiB after {settings.BulkWarmupBytes >> 20} MiB warm-up; UDP: {settings.UdpSenders} sender thread(s) {(settings.UdpBatched ? $"sendmmsg x{XdpUdpBlaster.Batch}" : "Socket.Send")}, {settings.UdpSeconds} s after 0.5 s warm-up"));
        Console.WriteLine($"Junction: one NetStack per side busy-polling on a dedicated thread ({(settings.YieldWhenIdle ? "sched_yield when an iteration moved nothing" : "pure spin")}). Linux: System.Net.Sockets, blocking calls, NoDelay.");
        Console.WriteLine(settings.Pin
            ? $"Threads pinned: server side (Junction poll thread, Linux server) on CPU {Environment.ProcessorCount - 1}, client side (Linux client, Junction client, UDP senders) on CPU 0."
            : "Threads not pinned.");
    }

    public void PrintTables()
    {
        string loadAtEnd = LoadAverage();
        Console.WriteLine();
        Console.WriteLine($"Load average at end: {loadAtEnd}");
        foreach (XdpModeFigures mode in Modes)
        {
            Console.WriteLine();
            Console.WriteLine($"== XDP attach {mode.Requested}: server side {mode.ServerMode ?? "-"}, client side {mode.ClientMode ?? "-"} ==");
            Console.WriteLine($"{"64 B TCP round trip (us)",-44} {"p50",8} {"p99",8} {"p99.9",8} {"max",9} {"n",8}");
            LatencyRow("Junction server <-> Linux client", mode.JunctionServerLinuxClient);
            LatencyRow("Junction <-> Junction", mode.JunctionJunction);
            LatencyRow("Linux <-> Linux (no XDP on the link)", Linux.RoundTrip);
            LatencyRow("Linux <-> Linux (both XDP programs attached)", mode.LinuxLinuxWithXdp);
            Console.WriteLine($"client kernel {(mode.ClientKernelWorksWithXdp == true ? "kept working" : "DID NOT keep working")} with the client-side program attached");
            Console.WriteLine();
            Console.WriteLine($"{"receiver (Linux sender)",-44} {"Junction",10} {"Linux",10} {"ratio",7}");
            RateRow("bulk, 1 TCP connection (Gbit/s)", mode.BulkGbps, Linux.BulkGbps);
            RateRow("64 B UDP received (Mpps)", (mode.Udp?.ReceivedPerSecond ?? double.NaN) / 1e6, (Linux.Udp?.ReceivedPerSecond ?? double.NaN) / 1e6);
            RateRow("  offered by the sender(s) (Mpps)", (mode.Udp?.OfferedPerSecond ?? double.NaN) / 1e6, (Linux.Udp?.OfferedPerSecond ?? double.NaN) / 1e6);
            foreach (string note in mode.Notes) Console.WriteLine("note: " + note);
        }
    }

    public void WriteJson(string path)
    {
        using FileStream stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("started", _started);
        json.WriteString("command", "dotnet run -c Release --project bench/Junction.Bench -- xdp " + settings.CommandLine);
        json.WriteNumber("vcpus", Environment.ProcessorCount);
        json.WriteString("kernel", KernelRelease());
        json.WriteString("dotnet", Environment.Version.ToString());
        json.WriteString("loadAverageStart", _loadAtStart);
        json.WriteString("loadAverageEnd", LoadAverage());
        json.WriteNumber("roundTrips", settings.RoundTrips);
        json.WriteNumber("bulkBytes", settings.BulkBytes);
        json.WriteNumber("udpSenders", settings.UdpSenders);
        json.WriteBoolean("pollYieldsWhenIdle", settings.YieldWhenIdle);
        json.WriteBoolean("udpSendmmsg", settings.UdpBatched);
        json.WriteBoolean("pinned", settings.Pin);
        json.WriteStartObject("linux");
        Latency(json, "roundTripUs", Linux.RoundTrip);
        Number(json, "bulkGbps", Linux.BulkGbps);
        Udp(json, "udp", Linux.Udp);
        json.WriteEndObject();
        json.WriteStartArray("modes");
        foreach (XdpModeFigures mode in Modes)
        {
            json.WriteStartObject();
            json.WriteString("attach", mode.Requested);
            json.WriteString("serverMode", mode.ServerMode);
            json.WriteString("clientMode", mode.ClientMode);
            Latency(json, "junctionServerLinuxClientUs", mode.JunctionServerLinuxClient);
            Latency(json, "junctionJunctionUs", mode.JunctionJunction);
            Latency(json, "linuxLinuxWithXdpUs", mode.LinuxLinuxWithXdp);
            Number(json, "bulkGbps", mode.BulkGbps);
            Udp(json, "udp", mode.Udp);
            if (mode.ClientKernelWorksWithXdp is { } works) json.WriteBoolean("clientKernelWorksWithXdp", works);
            json.WriteStartArray("notes");
            foreach (string note in mode.Notes) json.WriteStringValue(note);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("log");
        foreach (string line in _log) json.WriteStringValue(line);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void LatencyRow(string name, LatencyFigure? figure)
    {
        if (figure is not { } f)
        {
            Console.WriteLine($"{name,-44} {"failed",8}");
            return;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-44} {f.P50,8:F1} {f.P99,8:F1} {f.P999,8:F1} {f.Max,9:F1} {f.Count,8}"));
    }

    private static void RateRow(string name, double junction, double linux) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-44} {junction,10:F3} {linux,10:F3} {junction / linux,6:F2}x"));

    private static void Latency(Utf8JsonWriter json, string name, LatencyFigure? figure)
    {
        if (figure is not { } f)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteNumber("p50", f.P50);
        json.WriteNumber("p99", f.P99);
        json.WriteNumber("p999", f.P999);
        json.WriteNumber("max", f.Max);
        json.WriteNumber("count", f.Count);
        json.WriteEndObject();
    }

    private static void Udp(Utf8JsonWriter json, string name, UdpFigure? figure)
    {
        if (figure is not { } f)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteNumber("receivedPerSecond", f.ReceivedPerSecond);
        json.WriteNumber("offeredPerSecond", f.OfferedPerSecond);
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    private static string KernelRelease() => File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.VersionString;
}

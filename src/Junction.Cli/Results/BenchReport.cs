using System.Text;
using System.Text.Json;

namespace Junction.Cli.Results;

/// <summary>
/// The results of a <c>junction bench</c> or <c>junction demo</c> run and their JSON form (schema
/// <see cref="Schema"/>, documented in docs/benchmarks.md).
/// </summary>
internal sealed class BenchReport(string environment, double durationSeconds)
{
    public const string Schema = "junction-bench/1";

    public DateTime Started { get; } = DateTime.UtcNow;

    /// <summary>"af_xdp-veth-lab" or "virtual-switch-vs-loopback".</summary>
    public string Environment => environment;

    public List<ScenarioResult> Scenarios { get; } = [];

    public List<string> Notes { get; } = [];

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("schema", Schema);
            json.WriteString("started", Started);
            json.WriteString("environment", environment);
            json.WriteStartObject("machine");
            json.WriteNumber("vcpus", System.Environment.ProcessorCount);
            json.WriteString("kernel", KernelRelease());
            json.WriteString("dotnet", System.Environment.Version.ToString());
            json.WriteString("cpu", CpuModel());
            json.WriteEndObject();
            json.WriteNumber("duration_s", durationSeconds);
            json.WriteStartObject("scenarios");
            foreach (ScenarioResult result in Scenarios)
            {
                json.WriteStartObject(result.Name);
                json.WriteString("description", Load.Scenarios.Describe(result.Scenario));
                json.WriteNumber("connections", result.Connections);
                WriteSide(json, "junction", result.Junction);
                WriteSide(json, "linux", result.Linux);
                if (result.JunctionToJunction is { } junctionToJunction) WriteSide(json, "junction_to_junction", junctionToJunction);
                json.WriteStartObject("ratio");
                foreach ((string field, double value) in result.Ratios) json.WriteNumber(field, Math.Round(value, 3));
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteStartArray("notes");
            foreach (string note in Notes) json.WriteStringValue(note);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public void WriteJson(string path) => File.WriteAllText(path, ToJson() + "\n");

    private static void WriteSide(Utf8JsonWriter json, string name, SideFigures side)
    {
        json.WriteStartObject(name);
        foreach ((string field, Func<SideFigures, double?> get) in ScenarioResult.Fields)
        {
            if (get(side) is { } value && double.IsFinite(value)) json.WriteNumber(field, Math.Round(value, 3));
        }
        if (side.OfferedPps is { } offered) json.WriteNumber("offered_pps", Math.Round(offered, 1));
        json.WriteNumber("errors", side.Errors);
        json.WriteString("server", side.Server);
        json.WriteString("load", side.Generator);
        json.WriteEndObject();
    }

    internal static string KernelRelease() =>
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : System.Environment.OSVersion.VersionString;

    internal static string CpuModel()
    {
        if (!File.Exists("/proc/cpuinfo")) return "unknown";
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        return "unknown";
    }
}

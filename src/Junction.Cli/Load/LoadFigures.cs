using System.Text.Json.Serialization;

namespace Junction.Cli.Load;

/// <summary>
/// What a load generator measured over its window: operations (round trips, requests, datagrams sent) and bytes per
/// second, latency percentiles when it times operations, and errors. Crosses the process boundary as one JSON line.
/// </summary>
internal sealed record LoadFigures
{
    [JsonPropertyName("seconds")]
    public double Seconds { get; init; }

    [JsonPropertyName("operations")]
    public long Operations { get; init; }

    [JsonPropertyName("bytes")]
    public long Bytes { get; init; }

    [JsonPropertyName("p50_us")]
    public double? P50Us { get; init; }

    [JsonPropertyName("p99_us")]
    public double? P99Us { get; init; }

    [JsonPropertyName("errors")]
    public long Errors { get; init; }

    [JsonPropertyName("generator")]
    public string Generator { get; init; } = "";

    [JsonIgnore]
    public double OperationsPerSecond => Seconds > 0 ? Operations / Seconds : 0;
}

[JsonSerializable(typeof(LoadFigures))]
internal sealed partial class LoadFiguresJson : JsonSerializerContext;

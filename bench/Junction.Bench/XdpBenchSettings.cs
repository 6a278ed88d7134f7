using System.Globalization;
using Junction.Devices.Xdp;

namespace Junction.Bench;

/// <summary>The xdp benchmark's command-line options.</summary>
internal sealed record XdpBenchSettings
{
    public IReadOnlyList<XdpAttachMode> Modes { get; init; } = [XdpAttachMode.Native, XdpAttachMode.Generic];

    public int RoundTrips { get; init; } = 50_000;

    public long BulkBytes { get; init; } = 1024L << 20;

    public long BulkWarmupBytes { get; init; } = 64L << 20;

    public double UdpSeconds { get; init; } = 3;

    public int UdpSenders { get; init; } = 2;

    /// <summary>Whether the UDP senders batch with sendmmsg (else one Socket.Send per datagram).</summary>
    public bool UdpBatched { get; init; } = true;

    /// <summary>Whether server-side threads run on the last CPU and client-side threads on CPU 0.</summary>
    public bool Pin { get; init; }

    /// <summary>Whether the Junction poll threads sched_yield after an iteration that moved nothing (they never sleep either way).</summary>
    public bool YieldWhenIdle { get; init; }

    public string? JsonPath { get; init; }

    public string CommandLine { get; init; } = "";

    public static XdpBenchSettings Parse(string[] args)
    {
        var settings = new XdpBenchSettings { CommandLine = string.Join(' ', args) };
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--mode" => settings with
                {
                    Modes = value switch
                    {
                        "native" => [XdpAttachMode.Native],
                        "generic" => [XdpAttachMode.Generic],
                        "both" => [XdpAttachMode.Native, XdpAttachMode.Generic],
                        _ => throw new ArgumentException("--mode is native, generic or both."),
                    },
                },
                "--rr-count" => settings with { RoundTrips = int.Parse(value, CultureInfo.InvariantCulture) },
                "--bulk-mib" => settings with { BulkBytes = long.Parse(value, CultureInfo.InvariantCulture) << 20 },
                "--udp-seconds" => settings with { UdpSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--udp-senders" => settings with { UdpSenders = int.Parse(value, CultureInfo.InvariantCulture) },
                "--udp-send" => settings with
                {
                    UdpBatched = value switch
                    {
                        "sendmmsg" => true,
                        "send" => false,
                        _ => throw new ArgumentException("--udp-send is sendmmsg or send."),
                    },
                },
                "--pin" => settings with
                {
                    Pin = value switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new ArgumentException("--pin is on or off."),
                    },
                },
                "--idle" => settings with
                {
                    YieldWhenIdle = value switch
                    {
                        "spin" => false,
                        "yield" => true,
                        _ => throw new ArgumentException("--idle is spin or yield."),
                    },
                },
                "--json" => settings with { JsonPath = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --mode native|generic|both, --rr-count N, --bulk-mib N, --udp-seconds N, --udp-senders N, --udp-send sendmmsg|send, --idle spin|yield, --pin on|off, --json PATH."),
            };
            i++;
        }
        return settings;
    }
}

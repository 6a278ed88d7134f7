using Junction.Devices.Xdp;

namespace Junction.Cli.Hosting;

/// <summary>How a <see cref="JunctionHost"/> runs: XDP attach mode, capture, and how its poll thread behaves.</summary>
internal sealed record HostSettings
{
    /// <summary>How the steering program attaches (Auto: native if the driver has it, else generic).</summary>
    public XdpAttachMode AttachMode { get; init; } = XdpAttachMode.Auto;

    /// <summary>Where to write a pcap of every frame the instance receives and sends, or null.</summary>
    public string? PcapPath { get; init; }

    /// <summary>Whether the poll thread calls sched_yield after an iteration that moved nothing (it never sleeps either way).</summary>
    public bool YieldWhenIdle { get; init; }

    /// <summary>Whether the poll thread is pinned to the last CPU.</summary>
    public bool Pin { get; init; }
}

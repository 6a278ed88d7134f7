using Junction.Devices.Xdp;

namespace Junction.Cli.Hosting;

/// <summary>How a <see cref="JunctionHost"/> runs: XDP attach mode, capture, and the runtime that schedules its instance.</summary>
internal sealed record HostSettings
{
    /// <summary>The runtime's default: how long an idle kthread keeps polling before it parks the instance.</summary>
    public static readonly TimeSpan DefaultSpinBeforePark = TimeSpan.FromMicroseconds(50);

    /// <summary>How the steering program attaches (Auto: native if the driver has it, else generic).</summary>
    public XdpAttachMode AttachMode { get; init; } = XdpAttachMode.Auto;

    /// <summary>Where to write a pcap of every frame the instance receives and sends, or null.</summary>
    public string? PcapPath { get; init; }

    /// <summary>
    /// The most kthreads the instance runs on at once (and the size of its runtime); the core allocator grants the
    /// second and later ones only while the first cannot keep up or looks blocked. 1 by default (<c>UseJunction</c>'s
    /// default is 2): on a small shared machine that also runs the load, a preempted kthread looks blocked to the
    /// allocator, whose replacements then compete for the same vCPUs (docs/benchmarks.md).
    /// </summary>
    public int MaxKthreads { get; init; } = 1;

    /// <summary>How long a kthread that found nothing to do keeps polling the instance (yielding between polls) before it parks it in epoll.</summary>
    public TimeSpan SpinBeforePark { get; init; } = DefaultSpinBeforePark;
}

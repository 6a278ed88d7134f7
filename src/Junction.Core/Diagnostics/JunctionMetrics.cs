using System.Diagnostics.Metrics;
using Junction.Runtime;
using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Diagnostics;

/// <summary>
/// The <see cref="Meter"/> every runtime instance reports through, named <see cref="MeterName"/>: frames, drops by
/// reason, TCP segments, retransmissions, resets and connections, and what the scheduler did — each measurement tagged
/// with the instance's address (<c>junction.instance</c>). Read it with <c>dotnet-counters monitor --counters
/// Junction</c>, OpenTelemetry's <c>AddMeter("Junction")</c>, or a <see cref="MeterListener"/>.
/// </summary>
/// <remarks>
/// The instruments are observable: they read the counters the packet path keeps anyway when a listener collects, so
/// metrics cost the packet path nothing. An instance is reported from its creation until it is disposed.
/// </remarks>
public static class JunctionMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Junction";

    /// <summary>The tag naming the instance (its IPv4 address).</summary>
    public const string InstanceTag = "junction.instance";

    /// <summary>The tag naming why frames were dropped.</summary>
    public const string DropReasonTag = "junction.drop.reason";

    private static readonly List<RuntimeInstance> s_instances = [];
    private static readonly Meter s_meter = CreateMeter();

    /// <summary>Starts reporting <paramref name="instance"/>.</summary>
    internal static void Register(RuntimeInstance instance)
    {
        lock (s_instances) s_instances.Add(instance);
    }

    /// <summary>Stops reporting <paramref name="instance"/>.</summary>
    internal static void Unregister(RuntimeInstance instance)
    {
        lock (s_instances) s_instances.Remove(instance);
    }

    /// <summary>The meter (created once; its instruments cover every registered instance).</summary>
    internal static Meter Meter => s_meter;

    private static Meter CreateMeter()
    {
        var meter = new Meter(MeterName, typeof(JunctionMetrics).Assembly.GetName().Version?.ToString());
        meter.CreateObservableCounter("junction.frames.received", () => Each(static s => s.FramesReceived), "{frame}", "Frames the stack took from its device.");
        meter.CreateObservableCounter("junction.frames.sent", () => Each(static s => s.FramesSent), "{frame}", "Frames the stack handed to its device.");
        meter.CreateObservableCounter("junction.frames.dropped", Drops, "{frame}", "Frames dropped, by reason (junction.drop.reason).");
        meter.CreateObservableCounter("junction.tcp.segments.received", () => EachTcp(static t => t.SegmentsReceived), "{segment}", "TCP segments received.");
        meter.CreateObservableCounter("junction.tcp.segments.sent", () => EachTcp(static t => t.SegmentsSent), "{segment}", "TCP segments sent, retransmissions included.");
        meter.CreateObservableCounter("junction.tcp.segments.retransmitted", () => EachTcp(static t => t.SegmentsRetransmitted), "{segment}", "TCP segments sent again.");
        meter.CreateObservableCounter("junction.tcp.retransmission_timeouts", () => EachTcp(static t => t.RetransmissionTimeouts), "{timeout}", "TCP retransmission timer expiries.");
        meter.CreateObservableCounter("junction.tcp.resets.sent", () => EachTcp(static t => t.ResetsSent), "{segment}", "TCP resets sent.");
        meter.CreateObservableCounter("junction.tcp.resets.received", () => EachTcp(static t => t.ResetsReceived), "{segment}", "TCP resets received.");
        meter.CreateObservableCounter("junction.tcp.opens.active", () => EachTcp(static t => t.ActiveOpens), "{connection}", "TCP connections opened by this side.");
        meter.CreateObservableCounter("junction.tcp.opens.passive", () => EachTcp(static t => t.PassiveOpens), "{connection}", "TCP connections accepted from peers.");
        meter.CreateObservableUpDownCounter("junction.tcp.connections", () => EachInstance(static i => i.Stack.TcpConnectionCount), "{connection}", "TCP connections the stack holds (any state).");
        meter.CreateObservableCounter("junction.runtime.parks", () => EachInstance(static i => i.Statistics.Parks), "{park}", "Times the instance's last kthread parked on its device.");
        meter.CreateObservableCounter("junction.runtime.activations", () => EachInstance(static i => i.Statistics.Activations), "{activation}", "Times a parked instance was woken.");
        meter.CreateObservableCounter("junction.runtime.uthreads", () => EachInstance(static i => i.Statistics.UthreadsRun), "{uthread}", "Uthreads the instance's kthreads ran.");
        return meter;
    }

    private static RuntimeInstance[] Snapshot()
    {
        lock (s_instances) return [.. s_instances];
    }

    private static KeyValuePair<string, object?> Tag(RuntimeInstance instance) => new(InstanceTag, instance.Stack.Address.ToString());

    private static IEnumerable<Measurement<long>> EachInstance(Func<RuntimeInstance, long> read)
    {
        foreach (RuntimeInstance instance in Snapshot()) yield return new Measurement<long>(read(instance), Tag(instance));
    }

    private static IEnumerable<Measurement<long>> Each(Func<NetStackStatistics, long> read) => EachInstance(i => read(i.Stack.Statistics));

    private static IEnumerable<Measurement<long>> EachTcp(Func<TcpStatistics, long> read) => EachInstance(i => read(i.Stack.TcpStatistics));

    private static IEnumerable<Measurement<long>> Drops()
    {
        foreach (RuntimeInstance instance in Snapshot())
        {
            NetStackStatistics s = instance.Stack.Statistics;
            KeyValuePair<string, object?> tag = Tag(instance);
            yield return Drop(s.Malformed, tag, "malformed");
            yield return Drop(s.BadChecksum, tag, "bad_checksum");
            yield return Drop(s.Unsupported, tag, "unsupported");
            yield return Drop(s.FragmentsDropped, tag, "fragment");
            yield return Drop(s.NoFrameDrops, tag, "no_free_frame");
            yield return Drop(s.TransmitDrops, tag, "transmit_queue_full");
            yield return Drop(s.ArpUnresolvedDrops, tag, "arp_unresolved");
            yield return Drop(s.UdpNoSocket, tag, "udp_no_socket");
            yield return Drop(s.UdpQueueFullDrops, tag, "udp_queue_full");
        }
    }

    private static Measurement<long> Drop(long value, KeyValuePair<string, object?> instance, string reason) =>
        new(value, instance, new KeyValuePair<string, object?>(DropReasonTag, reason));
}

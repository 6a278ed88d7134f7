using System.Diagnostics.Metrics;
using Junction.Diagnostics;
using Junction.Runtime;
using Junction.Stack.Udp;
using Junction.Tests.Runtime;

namespace Junction.Tests.Diagnostics;

public sealed class JunctionMetricsTests
{
    // Host numbers no other test uses: instances of tests running in parallel report through the same meter.
    private const int SenderHost = 231;
    private const int ReceiverHost = 232;

    [Fact]
    public void Instances_report_their_frames_drops_and_scheduler_counters_tagged_with_their_address_until_disposed()
    {
        using var lab = new RuntimeLab();
        RuntimeInstance sender = lab.Add(SenderHost);
        RuntimeInstance receiver = lab.Add(ReceiverHost);
        UdpSocket socket = RuntimeLab.Await(sender.InvokeAsync(() => sender.Stack.UdpBind(7300)));
        // Nobody listens on the receiver's port 7301: each datagram is counted there as a udp_no_socket drop.
        for (int i = 0; i < 5; i++) RuntimeLab.Await(sender.InvokeAsync(() => socket.SendTo("metrics"u8, receiver.Stack.Address, 7301)));
        Assert.True(RuntimeLab.Eventually(() => receiver.Stack.Statistics.UdpNoSocket >= 5));

        Dictionary<(string Instrument, string Instance, string? Reason), long> measured = Collect();
        string senderTag = sender.Stack.Address.ToString();
        string receiverTag = receiver.Stack.Address.ToString();
        Assert.True(measured[("junction.frames.sent", senderTag, null)] >= 5);
        Assert.True(measured[("junction.frames.received", receiverTag, null)] >= 5);
        Assert.True(measured[("junction.frames.dropped", receiverTag, "udp_no_socket")] >= 5);
        Assert.Equal(0, measured[("junction.frames.dropped", receiverTag, "malformed")]);
        Assert.True(measured[("junction.runtime.uthreads", senderTag, null)] >= 5); // the InvokeAsync calls ran as uthreads
        Assert.True(measured.ContainsKey(("junction.tcp.connections", receiverTag, null)));

        receiver.Dispose();
        Assert.DoesNotContain(Collect().Keys, key => key.Item2 == receiverTag);
    }

    private static Dictionary<(string, string, string?), long> Collect()
    {
        var measured = new Dictionary<(string, string, string?), long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JunctionMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? instance = null;
            string? reason = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == JunctionMetrics.InstanceTag) instance = (string?)tag.Value;
                if (tag.Key == JunctionMetrics.DropReasonTag) reason = (string?)tag.Value;
            }
            if (instance is not null) measured[(instrument.Name, instance, reason)] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }
}

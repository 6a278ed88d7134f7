using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Junction.Bench;

/// <summary>
/// Counts the runtime's GCAllocationTick events (one per ~100 KB allocated) by type name, in-process: where a
/// benchmark's allocations come from. Enabled with --trace-alloc.
/// </summary>
internal sealed class AllocationTracer : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null) return;
        int typeIndex = eventData.PayloadNames!.IndexOf("TypeName");
        int amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        string type = typeIndex >= 0 ? eventData.Payload[typeIndex]?.ToString() ?? "?" : "?";
        long amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture) : 0;
        _bytes.AddOrUpdate(type, amount, (_, old) => old + amount);
    }

    public void Report()
    {
        Console.WriteLine("allocation ticks by type (bytes sampled):");
        foreach (KeyValuePair<string, long> pair in _bytes.OrderByDescending(p => p.Value)) Console.WriteLine($"  {pair.Value,12:N0}  {pair.Key}");
        _bytes.Clear();
    }
}

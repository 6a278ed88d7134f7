namespace Junction.Devices.Memory;

/// <summary>Counters of a <see cref="VirtualSwitch"/>, summed over its ports (see <see cref="VirtualPort.Statistics"/> for each port).</summary>
public sealed class SwitchStatistics
{
    /// <summary>Frames sent to the single port that learned their destination address.</summary>
    public long Forwarded { get; internal set; }

    /// <summary>Frames sent to every other port: broadcast, multicast, or a destination not yet learned.</summary>
    public long Flooded { get; internal set; }

    /// <summary>Frames whose destination was learned on the port they came from, so they go nowhere.</summary>
    public long Filtered { get; internal set; }

    /// <summary>Frames lost to a port's <see cref="FaultSettings.LossRate"/>.</summary>
    public long DroppedLost { get; internal set; }

    /// <summary>Frames too short for an Ethernet header or longer than the sending port's MTU allows.</summary>
    public long DroppedMalformed { get; internal set; }

    /// <summary>Copies dropped because the destination port's pool had no free frame.</summary>
    public long DroppedNoFrame { get; internal set; }

    /// <summary>Copies dropped because the destination port's delivery queue was full.</summary>
    public long DroppedQueueFull { get; internal set; }

    /// <summary>Copies dropped because they do not fit in one frame of the destination port's pool.</summary>
    public long DroppedOversize { get; internal set; }
}

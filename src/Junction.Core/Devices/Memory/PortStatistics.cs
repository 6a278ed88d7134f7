namespace Junction.Devices.Memory;

/// <summary>Counters of one <see cref="VirtualPort"/>.</summary>
public sealed class PortStatistics
{
    /// <summary>Frames the application handed to <see cref="VirtualPort.Transmit"/>.</summary>
    public long FramesTransmitted { get; internal set; }

    /// <summary>Bytes of the frames handed to <see cref="VirtualPort.Transmit"/>.</summary>
    public long BytesTransmitted { get; internal set; }

    /// <summary>Frames the switch put on their way to this port.</summary>
    public long FramesDelivered { get; internal set; }

    /// <summary>Frames handed to the application by <see cref="VirtualPort.Receive"/>.</summary>
    public long FramesReceived { get; internal set; }

    /// <summary>Bytes of the frames handed out by <see cref="VirtualPort.Receive"/>.</summary>
    public long BytesReceived { get; internal set; }

    /// <summary>Frames this port transmitted that were too short for an Ethernet header or longer than its MTU allows.</summary>
    public long DroppedMalformed { get; internal set; }

    /// <summary>Frames for this port dropped because its pool had no free frame.</summary>
    public long DroppedNoFrame { get; internal set; }

    /// <summary>Frames for this port dropped because <see cref="VirtualPortOptions.QueueCapacity"/> frames were already waiting.</summary>
    public long DroppedQueueFull { get; internal set; }

    /// <summary>Frames for this port dropped because they do not fit in one frame of its pool.</summary>
    public long DroppedOversize { get; internal set; }
}

namespace Junction.Devices.Memory;

/// <summary>How often each impairment of a port's <see cref="FaultSettings"/> was applied.</summary>
public sealed class FaultStatistics
{
    /// <summary>Frames dropped by <see cref="FaultSettings.LossRate"/>.</summary>
    public long Lost { get; internal set; }

    /// <summary>Frames delivered twice by <see cref="FaultSettings.DuplicateRate"/>.</summary>
    public long Duplicated { get; internal set; }

    /// <summary>Copies held back by <see cref="FaultSettings.ReorderRate"/>.</summary>
    public long Reordered { get; internal set; }

    /// <summary>Frames with one bit flipped by <see cref="FaultSettings.CorruptRate"/>.</summary>
    public long Corrupted { get; internal set; }

    /// <summary>Copies given a non-zero <see cref="FaultSettings.Delay"/> or jitter.</summary>
    public long Delayed { get; internal set; }

    /// <summary>Copies that had to wait for the link because earlier frames were still being serialized.</summary>
    public long Queued { get; internal set; }
}

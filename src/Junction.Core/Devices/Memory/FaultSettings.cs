namespace Junction.Devices.Memory;

/// <summary>
/// The impairments a <see cref="VirtualPort"/> applies to the frames it transmits, like a lossy, slow, jittery
/// cable. Every decision comes from one <see cref="System.Random"/> seeded with <see cref="Seed"/>, so a run with
/// the same settings and the same traffic is reproducible frame for frame.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>No impairment at all: every frame arrives once, intact, immediately.</summary>
    public static FaultSettings None { get; } = new();

    /// <summary>Probability (0..1) that a transmitted frame is dropped.</summary>
    public double LossRate { get; init; }

    /// <summary>Probability (0..1) that a transmitted frame is delivered twice.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>
    /// Probability (0..1) that a delivered copy is held back by <see cref="ReorderDelay"/>, so that frames sent
    /// after it overtake it.
    /// </summary>
    public double ReorderRate { get; init; }

    /// <summary>How long a reordered copy is held back; 1 ms unless set.</summary>
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Probability (0..1) that a transmitted frame has one random bit flipped in a random byte after the
    /// 14-byte Ethernet header (frames with nothing after the header are never corrupted).
    /// </summary>
    public double CorruptRate { get; init; }

    /// <summary>Fixed one-way latency added to every frame.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Extra latency drawn uniformly from [0, Jitter) for every delivered copy; it can reorder frames.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>
    /// Link rate in bits per second; 0 means unlimited. A frame occupies the link for its length in bits divided
    /// by this rate, and frames sent while the link is busy wait their turn (preamble and gap are not counted).
    /// </summary>
    public long BandwidthBitsPerSecond { get; init; }

    /// <summary>Seed of the random generator behind every decision.</summary>
    public int Seed { get; init; }

    /// <summary>Whether any setting differs from <see cref="None"/> (the seed aside).</summary>
    public bool IsImpaired =>
        LossRate > 0 || DuplicateRate > 0 || ReorderRate > 0 || CorruptRate > 0 ||
        Delay > TimeSpan.Zero || Jitter > TimeSpan.Zero || BandwidthBitsPerSecond > 0;
}

namespace Junction.Devices.Verbs;

/// <summary>What a receive path counted while turning completions into frames.</summary>
internal sealed class Mlx5ReceiveStatistics
{
    /// <summary>Frames handed to the stack.</summary>
    public long Packets { get; set; }

    /// <summary>Error completions (the NIC could not place a packet).</summary>
    public long Errors { get; set; }

    /// <summary>Packets dropped because they were shorter than an Ethernet header or did not fit one frame.</summary>
    public long Dropped { get; set; }

    /// <summary>Filler completions of a striding queue (strides skipped at the end of a WQE).</summary>
    public long Fillers { get; set; }
}

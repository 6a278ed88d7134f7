namespace Junction.Devices;

/// <summary>The timestamp unit of a classic pcap file, announced by its magic number.</summary>
public enum PcapTimestampResolution
{
    /// <summary>Microseconds (magic 0xa1b2c3d4), readable by every tool.</summary>
    Microseconds,

    /// <summary>Nanoseconds (magic 0xa1b23c4d).</summary>
    Nanoseconds,
}

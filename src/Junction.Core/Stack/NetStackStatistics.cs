namespace Junction.Stack;

/// <summary>What a stack instance received, sent and dropped, by cause. Read from the thread that drives it.</summary>
public sealed class NetStackStatistics
{
    internal long FramesReceivedCount;
    internal long FramesSentCount;
    internal long TransmitDropsCount;
    internal long MalformedCount;
    internal long NotForUsCount;
    internal long UnsupportedCount;
    internal long BadChecksumCount;
    internal long FragmentsDroppedCount;
    internal long ArpRequestsSentCount;
    internal long ArpRepliesSentCount;
    internal long ArpUnresolvedDropsCount;
    internal long NoFrameDropsCount;
    internal long EchoRepliesSentCount;
    internal long PortUnreachableSentCount;
    internal long UdpNoSocketCount;
    internal long UdpQueueFullDropsCount;

    /// <summary>Frames taken from the device.</summary>
    public long FramesReceived => FramesReceivedCount;

    /// <summary>Frames handed to the device.</summary>
    public long FramesSent => FramesSentCount;

    /// <summary>Frames lost because the device's transmit queue stayed full while the stack's own batch was full too.</summary>
    public long TransmitDrops => TransmitDropsCount;

    /// <summary>Frames or packets dropped for malformed headers (truncated, bad lengths, bad options).</summary>
    public long Malformed => MalformedCount;

    /// <summary>Frames addressed to another host.</summary>
    public long NotForUs => NotForUsCount;

    /// <summary>Frames of protocols the stack does not speak (IPv6, other EtherTypes, other IP protocols).</summary>
    public long Unsupported => UnsupportedCount;

    /// <summary>Packets dropped for a bad IPv4, ICMP, UDP or TCP checksum.</summary>
    public long BadChecksum => BadChecksumCount;

    /// <summary>IPv4 fragments, which the stack does not reassemble.</summary>
    public long FragmentsDropped => FragmentsDroppedCount;

    /// <summary>ARP requests sent.</summary>
    public long ArpRequestsSent => ArpRequestsSentCount;

    /// <summary>ARP replies sent for this instance's address.</summary>
    public long ArpRepliesSent => ArpRepliesSentCount;

    /// <summary>Packets dropped because their next hop never answered ARP or the pending queue was full.</summary>
    public long ArpUnresolvedDrops => ArpUnresolvedDropsCount;

    /// <summary>Packets not sent because the device had no free frame.</summary>
    public long NoFrameDrops => NoFrameDropsCount;

    /// <summary>ICMP echo replies sent.</summary>
    public long EchoRepliesSent => EchoRepliesSentCount;

    /// <summary>ICMP port-unreachable messages sent for closed UDP ports.</summary>
    public long PortUnreachableSent => PortUnreachableSentCount;

    /// <summary>UDP datagrams for ports nobody bound.</summary>
    public long UdpNoSocket => UdpNoSocketCount;

    /// <summary>UDP datagrams dropped because the socket's queue was full.</summary>
    public long UdpQueueFullDrops => UdpQueueFullDropsCount;
}

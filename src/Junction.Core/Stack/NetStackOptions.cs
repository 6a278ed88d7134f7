using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Stack;

/// <summary>How one stack instance is addressed and tuned. Bindable from configuration (settable properties).</summary>
public sealed class NetStackOptions
{
    /// <summary>The instance's IPv4 address.</summary>
    public Ipv4Address Address { get; set; }

    /// <summary>The subnet prefix length of <see cref="Address"/> (24 for a /24).</summary>
    public int PrefixLength { get; set; } = 24;

    /// <summary>Where off-subnet traffic goes; <see cref="Ipv4Address.Any"/> for none (off-subnet packets are dropped).</summary>
    public Ipv4Address Gateway { get; set; }

    /// <summary>The largest IP packet sent; 0 takes the device's MTU.</summary>
    public int Mtu { get; set; }

    /// <summary>TTL of packets this instance originates.</summary>
    public byte TimeToLive { get; set; } = 64;

    /// <summary>How long a resolved ARP entry is trusted before it is resolved again.</summary>
    public TimeSpan ArpCacheTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for an ARP reply before asking again.</summary>
    public TimeSpan ArpRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many ARP requests are sent before the packets waiting for that address are dropped.</summary>
    public int ArpRequestAttempts { get; set; } = 3;

    /// <summary>How many addresses the ARP cache holds.</summary>
    public int ArpCacheCapacity { get; set; } = 1024;

    /// <summary>How many packets may wait for ARP resolution across all addresses.</summary>
    public int ArpPendingPackets { get; set; } = 64;

    /// <summary>How many frames one <see cref="NetStack.Poll"/> takes from the device at a time.</summary>
    public int ReceiveBatchSize { get; set; } = 64;

    /// <summary>How many datagrams a UDP socket queues before dropping.</summary>
    public int UdpReceiveQueueLength { get; set; } = 256;

    /// <summary>ICMP error messages (port unreachable) sent per second at most.</summary>
    public int IcmpErrorsPerSecond { get; set; } = 1000;

    /// <summary>
    /// Seed for the instance's secrets (ISN and SYN-cookie keys, ephemeral ports). Null draws them from a
    /// cryptographic generator; a value makes runs reproducible (tests, simulations) and must not be used in production.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>TCP tuning.</summary>
    public TcpSettings Tcp { get; set; } = new();
}

using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary><c>struct ibv_flow_attr</c>: the header of a steering rule; its specs follow it in memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvFlowAttr
{
    public uint CompMask;
    public int Type;
    public ushort Size;
    public ushort Priority;
    public byte NumOfSpecs;
    public byte Port;
    public uint Flags;

    /// <summary><c>IBV_FLOW_ATTR_NORMAL</c>: steer by the rule's specs.</summary>
    public const int TypeNormal = 0;
}

/// <summary><c>struct ibv_flow_eth_filter</c>: Ethernet header fields to match (network byte order).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IbvFlowEthFilter
{
    public fixed byte DstMac[6];
    public fixed byte SrcMac[6];
    public ushort EtherType;
    public ushort VlanTag;
}

/// <summary><c>struct ibv_flow_spec_eth</c>: match on the Ethernet header.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvFlowSpecEth
{
    public int Type;
    public ushort Size;
    public IbvFlowEthFilter Val;
    public IbvFlowEthFilter Mask;

    /// <summary><c>IBV_FLOW_SPEC_ETH</c>.</summary>
    public const int SpecType = 0x20;
}

/// <summary><c>struct ibv_flow_ipv4_filter</c>: IPv4 addresses to match (network byte order).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvFlowIpv4Filter
{
    public uint SrcIp;
    public uint DstIp;
}

/// <summary><c>struct ibv_flow_spec_ipv4</c>: match on IPv4 addresses.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvFlowSpecIpv4
{
    public int Type;
    public ushort Size;
    public IbvFlowIpv4Filter Val;
    public IbvFlowIpv4Filter Mask;

    /// <summary><c>IBV_FLOW_SPEC_IPV4</c>.</summary>
    public const int SpecType = 0x30;
}

/// <summary>
/// One rule as the kernel reads it: the attribute header followed directly by an Ethernet spec (destination MAC) and
/// an IPv4 spec (destination address). Packed like the C rule buffers callers build, so the specs start exactly
/// where the header ends.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct MacIpv4FlowRule
{
    public IbvFlowAttr Attr;
    public IbvFlowSpecEth Eth;
    public IbvFlowSpecIpv4 Ipv4;
}

using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary><c>struct ibv_qp_cap</c>: queue sizes asked for (and granted) when a QP is created.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvQpCap
{
    public uint MaxSendWr;
    public uint MaxRecvWr;
    public uint MaxSendSge;
    public uint MaxRecvSge;
    public uint MaxInlineData;
}

/// <summary><c>struct ibv_qp_init_attr</c>: how to create a plain QP (<c>ibv_create_qp</c>, the TX queue).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvQpInitAttr
{
    public nint QpContext;
    public nint SendCq;
    public nint RecvCq;
    public nint Srq;
    public IbvQpCap Cap;
    public int QpType;
    public int SqSigAll;
}

/// <summary><c>struct ibv_rx_hash_conf</c>: the RSS hash of a receive QP built over an indirection table.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvRxHashConf
{
    public byte RxHashFunction;
    public byte RxHashKeyLen;
    public nint RxHashKey;
    public ulong RxHashFieldsMask;
}

/// <summary><c>struct ibv_qp_init_attr_ex</c>: how to create the receive QP over an indirection table.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvQpInitAttrEx
{
    public nint QpContext;
    public nint SendCq;
    public nint RecvCq;
    public nint Srq;
    public IbvQpCap Cap;
    public int QpType;
    public int SqSigAll;
    public uint CompMask;
    public nint Pd;
    public nint Xrcd;
    public uint CreateFlags;
    public ushort MaxTsoHeader;
    public nint RwqIndTbl;
    public IbvRxHashConf RxHashConf;
    public uint SourceQpn;
    public ulong SendOpsFlags;
}

/// <summary><c>struct ibv_qp_attr</c> for state changes: only the state and port are set from here.</summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal struct IbvQpAttr
{
    [FieldOffset(0)] public int QpState;
    [FieldOffset(129)] public byte PortNum;
}

/// <summary>Constants of <c>enum ibv_qp_type</c>, <c>ibv_qp_state</c>, <c>ibv_qp_attr_mask</c> and <c>ibv_qp_init_attr_mask</c>.</summary>
internal static class IbvQpConstants
{
    public const int QptRawPacket = 8;
    public const int QpsInit = 1;
    public const int QpsRtr = 2;
    public const int QpsRts = 3;
    public const int AttrState = 1 << 0;
    public const int AttrPort = 1 << 5;
    public const uint InitAttrPd = 1 << 0;
    public const uint InitAttrIndTable = 1 << 4;
    public const uint InitAttrRxHash = 1 << 5;
    public const byte RxHashFuncToeplitz = 1 << 0;
    public const ulong RxHashSrcIpv4 = 1 << 0;
    public const ulong RxHashDstIpv4 = 1 << 1;
}

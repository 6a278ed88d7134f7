using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary><c>struct ibv_wq_init_attr</c>: how to create a receive work queue.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvWqInitAttr
{
    public nint WqContext;
    public int WqType;
    public uint MaxWr;
    public uint MaxSge;
    public nint Pd;
    public nint Cq;
    public uint CompMask;
    public uint CreateFlags;

    /// <summary><c>IBV_WQT_RQ</c>.</summary>
    public const int TypeRq = 0;
}

/// <summary><c>struct ibv_wq_attr</c>: a work queue state change.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvWqAttr
{
    public uint AttrMask;
    public int WqState;
    public int CurrWqState;
    public uint Flags;
    public uint FlagsMask;

    /// <summary><c>IBV_WQ_ATTR_STATE</c>.</summary>
    public const uint AttrState = 1 << 0;

    /// <summary><c>IBV_WQS_RDY</c>.</summary>
    public const int StateReady = 1;
}

/// <summary><c>struct ibv_rwq_ind_table_init_attr</c>: the receive work queues an RSS QP spreads over.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvRwqIndTableInitAttr
{
    public uint LogIndTblSize;
    public nint IndTbl;
    public uint CompMask;
}

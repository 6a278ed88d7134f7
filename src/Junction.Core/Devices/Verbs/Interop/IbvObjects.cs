using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

// The public heads of the objects libibverbs hands back. Providers embed them at the start of larger private
// structs, so only these leading fields are ever read or written from here.

/// <summary><c>struct ibv_pd</c>: a protection domain.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvPd
{
    public nint Context;
    public uint Handle;
}

/// <summary><c>struct ibv_mr</c>: a registered memory region and the key the NIC uses to reach it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvMr
{
    public nint Context;
    public nint Pd;
    public nint Addr;
    public nuint Length;
    public uint Handle;
    public uint Lkey;
    public uint Rkey;
}

/// <summary><c>struct ibv_comp_channel</c>: the file descriptor completion events arrive on.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvCompChannel
{
    public nint Context;
    public int Fd;
    public int RefCount;
}

/// <summary><c>struct ibv_cq</c>: a completion queue.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvCq
{
    public nint Context;
    public nint Channel;
    public nint CqContext;
    public uint Handle;
    public int Cqe;
    public PthreadMutex Mutex;
    public PthreadCond Cond;
    public uint CompEventsCompleted;
    public uint AsyncEventsCompleted;
}

/// <summary><c>struct ibv_qp</c>: a queue pair.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvQp
{
    public nint Context;
    public nint QpContext;
    public nint Pd;
    public nint SendCq;
    public nint RecvCq;
    public nint Srq;
    public uint Handle;
    public uint QpNum;
    public int State;
    public int QpType;
    public PthreadMutex Mutex;
    public PthreadCond Cond;
    public uint EventsCompleted;
}

/// <summary><c>struct ibv_wq</c>: a receive work queue (the RX ring behind an RSS or single-queue QP).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvWq
{
    public nint Context;
    public nint WqContext;
    public nint Pd;
    public nint Cq;
    public uint WqNum;
    public uint Handle;
    public int State;
    public int WqType;
    public nint PostRecv;
    public PthreadMutex Mutex;
    public PthreadCond Cond;
    public uint EventsCompleted;
    public uint CompMask;
}

/// <summary><c>struct ibv_rwq_ind_table</c>: a receive work queue indirection table.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvRwqIndTable
{
    public nint Context;
    public int IndTblHandle;
    public int IndTblNum;
    public uint CompMask;
}

/// <summary><c>struct ibv_flow</c>: an installed steering rule.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvFlow
{
    public uint CompMask;
    public nint Context;
    public uint Handle;
}

using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary><c>struct mlx5dv_qp</c>: the raw send/receive rings, doorbell record and BlueFlame register of a QP.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Mlx5DvQp
{
    public nint Dbrec;
    public nint SqBuf;
    public uint SqWqeCnt;
    public uint SqStride;
    public nint RqBuf;
    public uint RqWqeCnt;
    public uint RqStride;
    public nint BfReg;
    public uint BfSize;
    public ulong CompMask;
    public long UarMmapOffset;
    public uint Tirn;
    public uint Tisn;
    public uint Rqn;
    public uint Sqn;
    public ulong TirIcmAddr;
}

/// <summary><c>struct mlx5dv_cq</c>: the raw completion ring, its doorbell record and the UAR page used to arm it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Mlx5DvCq
{
    public nint Buf;
    public nint Dbrec;
    public uint CqeCnt;
    public uint CqeSize;
    public nint CqUar;
    public uint Cqn;
    public ulong CompMask;
}

/// <summary><c>struct mlx5dv_rwq</c>: the raw ring and doorbell record of a receive work queue.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Mlx5DvRwq
{
    public nint Buf;
    public nint Dbrec;
    public uint WqeCnt;
    public uint Stride;
    public ulong CompMask;
}

/// <summary><c>struct mlx5dv_obj</c>: in/out pointer pairs for <c>mlx5dv_init_obj</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Mlx5DvObj
{
    public nint QpIn;
    public nint QpOut;
    public nint CqIn;
    public nint CqOut;
    public nint SrqIn;
    public nint SrqOut;
    public nint RwqIn;
    public nint RwqOut;
    public nint DmIn;
    public nint DmOut;
    public nint AhIn;
    public nint AhOut;
    public nint PdIn;
    public nint PdOut;

    public const ulong TypeQp = 1 << 0;
    public const ulong TypeCq = 1 << 1;
    public const ulong TypeRwq = 1 << 3;
}

/// <summary><c>struct mlx5dv_striding_rq_caps</c>: the stride sizes and counts a device accepts.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Mlx5DvStridingRqCaps
{
    public uint MinSingleStrideLogNumOfBytes;
    public uint MaxSingleStrideLogNumOfBytes;
    public uint MinSingleWqeLogNumOfStrides;
    public uint MaxSingleWqeLogNumOfStrides;
    public uint SupportedQpts;
}

/// <summary>
/// The head of <c>struct mlx5dv_context</c> up to the striding RQ capabilities. The C struct grows at its end
/// between releases; <c>mlx5dv_query_device</c> only fills the parts <see cref="CompMask"/> asks for, and callers
/// pass a buffer of <see cref="BufferSize"/> bytes so a newer library never writes past it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Mlx5DvContext
{
    public byte Version;
    public ulong Flags;
    public ulong CompMask;
    public uint CqeCompMaxNum;
    public uint CqeCompSupportedFormat;
    public uint SwParsingOffloads;
    public uint SwParsingSupportedQpts;
    public Mlx5DvStridingRqCaps StridingRqCaps;

    /// <summary>Bytes reserved for the whole C struct (it is 216 in rdma-core 44).</summary>
    public const int BufferSize = 1024;

    /// <summary><c>MLX5DV_CONTEXT_MASK_STRIDING_RQ</c>.</summary>
    public const ulong MaskStridingRq = 1 << 2;
}

/// <summary><c>struct mlx5dv_striding_rq_init_attr</c>: stride size and count for a multi-packet receive queue.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Mlx5DvStridingRqInitAttr
{
    public uint SingleStrideLogNumOfBytes;
    public uint SingleWqeLogNumOfStrides;
    public byte TwoByteShiftEn;
}

/// <summary><c>struct mlx5dv_wq_init_attr</c>: mlx5 extras for <c>mlx5dv_create_wq</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Mlx5DvWqInitAttr
{
    public ulong CompMask;
    public Mlx5DvStridingRqInitAttr StridingRqAttrs;

    /// <summary><c>MLX5DV_WQ_INIT_ATTR_MASK_STRIDING_RQ</c>.</summary>
    public const ulong MaskStridingRq = 1 << 0;
}

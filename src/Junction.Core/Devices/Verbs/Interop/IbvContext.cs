using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary>
/// <c>struct ibv_context</c>: an open device. Its <c>ops</c> table holds the provider's fast-path entry points
/// (<c>poll_cq</c>, <c>req_notify_cq</c>, <c>post_send</c>, <c>post_recv</c>) that verbs.h calls from inline functions.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IbvContext
{
    /// <summary><c>abi_compat</c> holds this value when the context is embedded in a <c>struct verbs_context</c>.</summary>
    public const nint AbiIsExtended = -1;

    public nint Device;
    public IbvContextOps Ops;
    public int CmdFd;
    public int AsyncFd;
    public int NumCompVectors;
    public PthreadMutex Mutex;
    public nint AbiCompat;
}

/// <summary><c>struct ibv_context_ops</c>: 32 function pointers, most of them obsolete compat slots.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32 * 8)]
internal struct IbvContextOps
{
    [FieldOffset(11 * 8)] public nint PollCq;
    [FieldOffset(12 * 8)] public nint ReqNotifyCq;
    [FieldOffset(25 * 8)] public nint PostSend;
    [FieldOffset(26 * 8)] public nint PostRecv;
}

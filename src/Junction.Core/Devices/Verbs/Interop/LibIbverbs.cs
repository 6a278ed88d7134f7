using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary>
/// The exported functions of libibverbs used here. Callers check <see cref="VerbsLibrary.TryLoadIbverbs"/> first:
/// these imports bind on first call and would throw where the library is absent.
/// </summary>
internal static unsafe partial class LibIbverbs
{
    /// <summary>The soname every rdma-core release since 2016 ships.</summary>
    public const string Name = "libibverbs.so.1";

    [LibraryImport(Name, EntryPoint = "ibv_get_device_list", SetLastError = true)]
    public static partial nint* GetDeviceList(int* count);

    [LibraryImport(Name, EntryPoint = "ibv_free_device_list")]
    public static partial void FreeDeviceList(nint* list);

    [LibraryImport(Name, EntryPoint = "ibv_open_device", SetLastError = true)]
    public static partial IbvContext* OpenDevice(nint device);

    [LibraryImport(Name, EntryPoint = "ibv_close_device")]
    public static partial int CloseDevice(IbvContext* context);

    /// <summary>The compat entry for contexts without the extended table (fills the legacy part of the struct).</summary>
    [LibraryImport(Name, EntryPoint = "ibv_query_port")]
    public static partial int QueryPortCompat(IbvContext* context, byte port, IbvPortAttr* attr);

    [LibraryImport(Name, EntryPoint = "ibv_alloc_pd", SetLastError = true)]
    public static partial IbvPd* AllocPd(IbvContext* context);

    [LibraryImport(Name, EntryPoint = "ibv_dealloc_pd")]
    public static partial int DeallocPd(IbvPd* pd);

    [LibraryImport(Name, EntryPoint = "ibv_reg_mr", SetLastError = true)]
    public static partial IbvMr* RegMr(IbvPd* pd, nint address, nuint length, int access);

    [LibraryImport(Name, EntryPoint = "ibv_dereg_mr")]
    public static partial int DeregMr(IbvMr* mr);

    [LibraryImport(Name, EntryPoint = "ibv_create_comp_channel", SetLastError = true)]
    public static partial IbvCompChannel* CreateCompChannel(IbvContext* context);

    [LibraryImport(Name, EntryPoint = "ibv_destroy_comp_channel")]
    public static partial int DestroyCompChannel(IbvCompChannel* channel);

    [LibraryImport(Name, EntryPoint = "ibv_create_cq", SetLastError = true)]
    public static partial IbvCq* CreateCq(IbvContext* context, int cqe, nint cqContext, IbvCompChannel* channel, int compVector);

    [LibraryImport(Name, EntryPoint = "ibv_destroy_cq")]
    public static partial int DestroyCq(IbvCq* cq);

    [LibraryImport(Name, EntryPoint = "ibv_get_cq_event", SetLastError = true)]
    public static partial int GetCqEvent(IbvCompChannel* channel, IbvCq** cq, nint* cqContext);

    [LibraryImport(Name, EntryPoint = "ibv_ack_cq_events")]
    public static partial void AckCqEvents(IbvCq* cq, uint count);

    [LibraryImport(Name, EntryPoint = "ibv_create_qp", SetLastError = true)]
    public static partial IbvQp* CreateQp(IbvPd* pd, IbvQpInitAttr* attr);

    [LibraryImport(Name, EntryPoint = "ibv_modify_qp")]
    public static partial int ModifyQp(IbvQp* qp, IbvQpAttr* attr, int mask);

    [LibraryImport(Name, EntryPoint = "ibv_destroy_qp")]
    public static partial int DestroyQp(IbvQp* qp);

    /// <summary><c>IBV_ACCESS_LOCAL_WRITE</c>: the NIC may write received packets into the region.</summary>
    public const int AccessLocalWrite = 1;
}

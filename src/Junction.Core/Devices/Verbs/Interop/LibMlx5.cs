using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary>The exported mlx5 direct-verbs functions (libmlx5, in the ibverbs-providers package).</summary>
internal static unsafe partial class LibMlx5
{
    /// <summary>The mlx5 provider library with the <c>mlx5dv_*</c> entry points.</summary>
    public const string Name = "libmlx5.so.1";

    [LibraryImport(Name, EntryPoint = "mlx5dv_is_supported")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool IsSupported(nint device);

    [LibraryImport(Name, EntryPoint = "mlx5dv_query_device")]
    public static partial int QueryDevice(IbvContext* context, Mlx5DvContext* attr);

    [LibraryImport(Name, EntryPoint = "mlx5dv_init_obj")]
    public static partial int InitObj(Mlx5DvObj* obj, ulong types);

    [LibraryImport(Name, EntryPoint = "mlx5dv_create_wq", SetLastError = true)]
    public static partial IbvWq* CreateWq(IbvContext* context, IbvWqInitAttr* attr, Mlx5DvWqInitAttr* mlx5Attr);
}

using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary>The head of <c>struct ibv_device</c>: which kernel device, and where it lives in sysfs.</summary>
[StructLayout(LayoutKind.Explicit, Size = 664)]
internal unsafe struct IbvDevice
{
    /// <summary>Length of each sysfs name field (<c>IBV_SYSFS_NAME_MAX</c>).</summary>
    public const int NameMax = 64;

    /// <summary>Length of each sysfs path field (<c>IBV_SYSFS_PATH_MAX</c>).</summary>
    public const int PathMax = 256;

    [FieldOffset(16)] public int NodeType;
    [FieldOffset(20)] public int TransportType;
    [FieldOffset(24)] public fixed byte Name[NameMax];
    [FieldOffset(88)] public fixed byte DevName[NameMax];
    [FieldOffset(152)] public fixed byte DevPath[PathMax];
    [FieldOffset(408)] public fixed byte IbdevPath[PathMax];
}

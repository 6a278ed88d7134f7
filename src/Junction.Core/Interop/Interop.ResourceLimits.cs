using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>getrlimit(2)/setrlimit(2) and geteuid(2): the limits and identity that decide whether XDP set-up may work.</summary>
internal static unsafe partial class Libc
{
    internal const int RLIMIT_MEMLOCK = 8;
    internal const ulong RLIM_INFINITY = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        internal ulong Current;
        internal ulong Maximum;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetRLimit(int resource, RLimit* limit);

    [LibraryImport(Libraries.Libc, EntryPoint = "setrlimit", SetLastError = true)]
    internal static partial int SetRLimit(int resource, RLimit* limit);

    [LibraryImport(Libraries.Libc, EntryPoint = "geteuid")]
    internal static partial uint GetEUid();
}

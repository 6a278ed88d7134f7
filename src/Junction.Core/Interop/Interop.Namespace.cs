using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>setns(2): moves the calling thread (only that thread) into another namespace.</summary>
internal static partial class Libc
{
    internal const int CLONE_NEWNET = 0x40000000;

    [LibraryImport(Libraries.Libc, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(int fd, int namespaceType);
}

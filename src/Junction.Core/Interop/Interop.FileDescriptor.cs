using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>open(2) and close(2).</summary>
internal static partial class Libc
{
    internal const int O_RDONLY = 0;
    internal const int O_CLOEXEC = 0x80000;

    [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    /// <summary>open(2) of a NUL-terminated UTF-8 path, without a string.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true)]
    internal static unsafe partial int Open(byte* path, int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}

using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>mmap(2), munmap(2).</summary>
internal static unsafe partial class Libc
{
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x01;
    internal const int MAP_PRIVATE = 0x02;
    internal const int MAP_ANONYMOUS = 0x20;
    internal const int MAP_POPULATE = 0x8000;
    internal const int MAP_HUGETLB = 0x40000;

    /// <summary>What mmap returns on failure.</summary>
    internal static readonly void* MapFailed = (void*)-1;

    /// <summary>mmap; <paramref name="offset"/> is 64-bit (the XSK fill ring lives at 0x100000000).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "mmap", SetLastError = true)]
    internal static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Libraries.Libc, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(void* address, nuint length);
}

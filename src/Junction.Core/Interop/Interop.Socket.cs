using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>socket(2), bind(2), socket options, sendto(2)/recvfrom(2) and interface ioctls.</summary>
internal static unsafe partial class Libc
{
    internal const int AF_INET = 2;
    internal const int AF_XDP = 44;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int MSG_DONTWAIT = 0x40;

    internal const ulong SIOCGIFMTU = 0x8921;
    internal const ulong SIOCGIFHWADDR = 0x8927;

    /// <summary>struct ifreq: a 16-byte name and a 24-byte union (40 bytes on 64-bit Linux).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    internal struct IfReq
    {
        internal fixed byte Name[16];
        internal fixed byte Union[24];
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libraries.Libc, EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(int fd, void* address, uint addressLength);

    [LibraryImport(Libraries.Libc, EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport(Libraries.Libc, EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport(Libraries.Libc, EntryPoint = "sendto", SetLastError = true)]
    internal static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport(Libraries.Libc, EntryPoint = "recvfrom", SetLastError = true)]
    internal static partial nint RecvFrom(int fd, void* buffer, nuint length, int flags, void* address, uint* addressLength);

    /// <summary>ioctl(2) with a pointer argument (declared non-variadic: integer and pointer arguments pass the same way on x86-64 and arm64).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, ulong request, void* argument);

    [LibraryImport(Libraries.Libc, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint IfNameToIndex(string name);
}

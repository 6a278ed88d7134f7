using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>socketpair(2), fcntl(2) file-status flags, fstat(2) identity, and the AF_UNIX/AF_INET6 numbers the compat layer uses.</summary>
internal static unsafe partial class Libc
{
    internal const int AF_UNIX = 1;
    internal const int AF_INET6 = 10;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_SEQPACKET = 5;
    internal const int SOCK_NONBLOCK = 0x800;
    internal const int MSG_PEEK = 0x2;
    internal const int MSG_TRUNC = 0x20;
    internal const int F_GETFD = 1;
    internal const int F_SETFD = 2;
    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;
    internal const int FD_CLOEXEC = 1;
    internal const int O_NONBLOCK = 0x800;
    internal const int SOL_SOCKET = 1;
    internal const int SO_SNDBUF = 7;

    [LibraryImport(Libraries.Libc, EntryPoint = "socketpair", SetLastError = true)]
    internal static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Libraries.Libc, EntryPoint = "fstat", SetLastError = true)]
    private static partial int FStat(int fd, byte* stat);

    /// <summary>The device and inode of <paramref name="fd"/>'s file (st_dev and st_ino lead struct stat on x86-64 and arm64), or false.</summary>
    internal static bool TryGetFileIdentity(int fd, out ulong device, out ulong inode)
    {
        byte* stat = stackalloc byte[256];
        if (FStat(fd, stat) != 0)
        {
            device = inode = 0;
            return false;
        }
        device = *(ulong*)stat;
        inode = *(ulong*)(stat + 8);
        return true;
    }
}

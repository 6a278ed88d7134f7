using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>epoll(7): one wait for many descriptors (many idle instances, one parked thread).</summary>
internal static unsafe partial class Libc
{
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x001;
    internal const uint EPOLLOUT = 0x004;
    internal const uint EPOLLERR = 0x008;
    internal const uint EPOLLONESHOT = 1u << 30;
    internal const uint EPOLLET = 1u << 31;

    /// <summary>struct epoll_event: packed (12 bytes) on x86-64, naturally aligned (16 bytes) elsewhere.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct EpollEventPacked
    {
        internal uint Events;
        internal ulong Data;
    }

    /// <summary>struct epoll_event on architectures that do not pack it (arm64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct EpollEventAligned
    {
        internal uint Events;
        internal ulong Data;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epollFd, int operation, int fd, void* ev);

    [LibraryImport(Libraries.Libc, EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int EpollWait(int epollFd, void* events, int maxEvents, int timeoutMilliseconds);
}

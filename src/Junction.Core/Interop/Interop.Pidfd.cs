using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>pidfd_open(2) and pidfd_getfd(2): a handle on a process (or thread) and a copy of one of its descriptors.</summary>
internal static partial class Libc
{
    /// <summary>PIDFD_THREAD (Linux 6.9): a pidfd for a thread that is not its group's leader.</summary>
    internal const int PIDFD_THREAD = 0x80;

    // The same numbers on x86-64 and arm64 (calls added after 5.1 share one table).
    private const long SYS_pidfd_open = 434;
    private const long SYS_pidfd_getfd = 438;

    [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall3(long number, long a, long b, long c);

    internal static int PidfdOpen(int pid, int flags) => (int)Syscall3(SYS_pidfd_open, pid, flags, 0);

    /// <summary>A copy (close-on-exec) of descriptor <paramref name="targetFd"/> of the process behind <paramref name="pidfd"/>; needs ptrace access to it.</summary>
    internal static int PidfdGetFd(int pidfd, int targetFd) => (int)Syscall3(SYS_pidfd_getfd, pidfd, targetFd, 0);
}

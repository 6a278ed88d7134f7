using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>timerfd(2): a deadline a parked thread's epoll wait can include (an instance's next timer).</summary>
internal static unsafe partial class Libc
{
    internal const int CLOCK_MONOTONIC = 1;
    internal const int TFD_CLOEXEC = 0x80000;
    internal const int TFD_NONBLOCK = 0x800;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        internal long Seconds;
        internal long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Itimerspec
    {
        internal Timespec Interval;
        internal Timespec Value;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "timerfd_create", SetLastError = true)]
    internal static partial int TimerFdCreate(int clockId, int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "timerfd_settime", SetLastError = true)]
    internal static partial int TimerFdSetTime(int fd, int flags, Itimerspec* newValue, Itimerspec* oldValue);
}

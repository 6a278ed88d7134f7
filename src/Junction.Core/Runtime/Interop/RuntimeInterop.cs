using System.Runtime.InteropServices;

namespace Junction.Runtime.Interop;

/// <summary>The Linux calls the runtime parks and wakes with: epoll, eventfd, timerfd.</summary>
internal static unsafe partial class RuntimeInterop
{
    private const string LibC = "libc";

    internal const int EpollCloexec = 0x80000;
    internal const int EpollCtlAdd = 1;
    internal const int EpollCtlDel = 2;
    internal const int EpollCtlMod = 3;
    internal const uint EpollIn = 0x001;
    internal const uint EpollOneShot = 1u << 30;

    internal const int EfdCloexec = 0x80000;
    internal const int EfdNonblock = 0x800;

    internal const int ClockMonotonic = 1;
    internal const int TfdCloexec = 0x80000;
    internal const int TfdNonblock = 0x800;

    internal const int Eintr = 4;
    internal const int Eagain = 11;

    /// <summary>struct epoll_event: packed on x86-64 (12 bytes), naturally aligned elsewhere (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct EpollEventPacked
    {
        public uint Events;
        public ulong Data;
    }

    /// <summary>struct epoll_event on architectures that do not pack it (arm64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct EpollEventAligned
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Itimerspec
    {
        public Timespec Interval;
        public Timespec Value;
    }

    [LibraryImport(LibC, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport(LibC, EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epfd, int op, int fd, void* epollEvent);

    [LibraryImport(LibC, EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int EpollWait(int epfd, void* events, int maxEvents, int timeoutMilliseconds);

    [LibraryImport(LibC, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(LibC, EntryPoint = "timerfd_create", SetLastError = true)]
    internal static partial int TimerFdCreate(int clockId, int flags);

    [LibraryImport(LibC, EntryPoint = "timerfd_settime", SetLastError = true)]
    internal static partial int TimerFdSetTime(int fd, int flags, Itimerspec* newValue, Itimerspec* oldValue);

    [LibraryImport(LibC, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buffer, nint count);

    [LibraryImport(LibC, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buffer, nint count);

    [LibraryImport(LibC, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary>Throws the <see cref="System.ComponentModel.Win32Exception"/> for the last call's errno.</summary>
    internal static Exception LastError(string call) =>
        new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), $"{call} failed");
}

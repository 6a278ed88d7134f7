using System.Globalization;
using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>gettid(2), a thread's CPU clock, and a thread's scheduling state from /proc.</summary>
internal static partial class Libc
{
    [LibraryImport(Libraries.Libc, EntryPoint = "gettid")]
    internal static partial int GetTid();

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    /// <summary>
    /// CPU time thread <paramref name="tid"/> of this process has used, in nanoseconds (its CPUCLOCK_SCHED clock:
    /// ((~tid) &lt;&lt; 3) | per-thread | sched, as pthread_getcpuclockid builds it); -1 when it cannot be read.
    /// </summary>
    internal static long ThreadCpuTimeNanoseconds(int tid)
    {
        int clockId = (~tid << 3) | 4 | 2;
        return ClockGetTime(clockId, out TimeSpec time) == 0 ? time.Seconds * 1_000_000_000 + time.Nanoseconds : -1;
    }

    /// <summary>
    /// Whether thread <paramref name="tid"/> of this process is running or waiting for a CPU ('R' in
    /// /proc/self/task/TID/stat) rather than sleeping in the kernel; null when the state cannot be read. Allocates
    /// nothing: the core allocator asks from inside kthread loops.
    /// </summary>
    internal static unsafe bool? IsThreadRunnable(int tid)
    {
        Span<byte> path = stackalloc byte[48];
        ReadOnlySpan<byte> prefix = "/proc/self/task/"u8, suffix = "/stat\0"u8;
        prefix.CopyTo(path);
        if (!tid.TryFormat(path[prefix.Length..], out int digits, default, CultureInfo.InvariantCulture)) return null;
        suffix.CopyTo(path[(prefix.Length + digits)..]);
        int fd;
        fixed (byte* pathPointer = path) fd = Open(pathPointer, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return null;
        // "tid (comm) S ...": comm is at most 15 bytes but may hold spaces and parentheses; the state follows the last ')'.
        Span<byte> stat = stackalloc byte[64];
        nint length;
        fixed (byte* statPointer = stat) length = Read(fd, statPointer, (nuint)stat.Length);
        Close(fd);
        if (length <= 0) return null;
        ReadOnlySpan<byte> text = stat[..(int)length];
        int end = text.LastIndexOf((byte)')');
        return end >= 0 && end + 2 < text.Length ? text[end + 2] == (byte)'R' : null;
    }
}

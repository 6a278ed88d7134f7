using System.Runtime.InteropServices;

namespace Junction.Cli.Hosting;

/// <summary>
/// Pins a Junction poll thread to a CPU (<c>--pin</c>): the server side on the last CPU, so that the scheduler's
/// wake-affine placement does not put the load generator behind a spinning poll thread.
/// </summary>
internal static class Affinity
{
    /// <summary>The CPU a server-side poll thread is pinned to with <c>--pin</c>: the last one.</summary>
    public static int ServerCpu => Environment.ProcessorCount - 1;

    /// <summary>Pins the calling thread to <paramref name="cpu"/> (nothing when null).</summary>
    public static void Pin(int? cpu)
    {
        if (cpu is not { } c) return;
        ulong mask = 1UL << c;
        if (SchedSetAffinity(0, sizeof(ulong), ref mask) != 0)
            throw new InvalidOperationException($"sched_setaffinity to CPU {c} failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    // pid 0: the calling thread. A 64-bit mask covers the CPUs this benchmark pins to.
    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SchedSetAffinity(int pid, nint size, ref ulong mask);
}

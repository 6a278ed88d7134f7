using System.Runtime.InteropServices;

namespace Junction.Bench;

/// <summary>
/// Pins benchmark threads to a CPU so that each side of a scenario has its own core: the server side (Junction poll
/// thread or Linux server thread) on the last CPU, the client side (Linux client or Junction client) on CPU 0. Without
/// pinning, the scheduler's wake-affine placement can put a woken client behind a spinning poll thread.
/// </summary>
internal static class XdpAffinity
{
    /// <summary>The CPU for server-side threads, or null when not pinning.</summary>
    public static int? ServerCpu { get; set; }

    /// <summary>The CPU for client-side threads, or null when not pinning.</summary>
    public static int? ClientCpu { get; set; }

    /// <summary>Pins the calling thread to <paramref name="cpu"/> (nothing when null).</summary>
    public static void Pin(int? cpu)
    {
        if (cpu is not { } c) return;
        ulong mask = 1UL << c;
        if (SchedSetAffinity(0, sizeof(ulong), ref mask) != 0)
            throw new InvalidOperationException($"sched_setaffinity to CPU {c} failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>Runs <paramref name="function"/> on a new thread pinned to <paramref name="cpu"/> and returns its result.</summary>
    public static T RunPinned<T>(int? cpu, Func<T> function)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Pin(cpu);
                result = function();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true, Name = "pinned client" };
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException(failure.Message, failure);
        return result;
    }

    // pid 0: the calling thread. A 64-bit mask covers the CPUs this benchmark pins to.
    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SchedSetAffinity(int pid, nint size, ref ulong mask);
}

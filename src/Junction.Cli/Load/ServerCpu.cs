using System.Diagnostics;

namespace Junction.Cli.Load;

/// <summary>
/// CPU time of this process (user + system, all threads). The load runs in another process, so while a server runs
/// here, the difference between two readings is what serving cost.
/// </summary>
internal static class ServerCpu
{
    public static TimeSpan Now()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}

using System.Globalization;
using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>gettid(2), and a thread's scheduling state from /proc.</summary>
internal static partial class Libc
{
    [LibraryImport(Libraries.Libc, EntryPoint = "gettid")]
    internal static partial int GetTid();

    /// <summary>
    /// Whether thread <paramref name="tid"/> of this process is running or waiting for a CPU ('R' in
    /// /proc/self/task/TID/stat) rather than sleeping in the kernel; null when the state cannot be read.
    /// </summary>
    internal static bool? IsThreadRunnable(int tid)
    {
        try
        {
            string stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/self/task/{tid}/stat"));
            // "tid (comm) S ...": the name may hold spaces and parentheses, the state follows the last ')'.
            int end = stat.LastIndexOf(')');
            return end >= 0 && end + 2 < stat.Length ? stat[end + 2] == 'R' : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

namespace Junction.Compat;

/// <summary>
/// Finds <c>junction-launch</c>, the native helper that puts a program under Junction's seccomp filter. It ships as
/// a runtime native asset (<c>runtimes/linux-x64/native/</c> beside the app, or the app's own folder after a
/// RID-specific publish); <c>JUNCTION_LAUNCH</c> overrides the location.
/// </summary>
internal static class NativeLauncher
{
    public const string FileName = "junction-launch";
    public const string OverrideVariable = "JUNCTION_LAUNCH";

    public static string Locate()
    {
        string? overridden = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(overridden))
        {
            if (File.Exists(overridden)) return EnsureExecutable(overridden);
            throw new InvalidOperationException($"The native launcher is missing: {OverrideVariable}={overridden} names no file; point it at a built junction-launch or unset it.");
        }
        foreach (string directory in Directories())
        {
            foreach (string relative in (ReadOnlySpan<string>)["runtimes/linux-x64/native/" + FileName, FileName])
            {
                string path = Path.Combine(directory, relative);
                if (File.Exists(path)) return EnsureExecutable(path);
            }
        }
        throw new InvalidOperationException(
            "The native launcher junction-launch is missing (Junction.Core was built without cmake and gcc): install cmake and gcc (e.g. 'apt-get install cmake gcc') and rebuild, or set JUNCTION_LAUNCH to a built junction-launch.");
    }

    private static IEnumerable<string> Directories()
    {
        yield return AppContext.BaseDirectory;
        // Empty in a single-file app, where BaseDirectory above is where the native files are extracted beside it.
#pragma warning disable IL3000
        string? assemblyDirectory = Path.GetDirectoryName(typeof(NativeLauncher).Assembly.Location);
#pragma warning restore IL3000
        if (!string.IsNullOrEmpty(assemblyDirectory)) yield return assemblyDirectory;
    }

    /// <summary>A package restore drops the executable bit (NuGet packages are zip files): put it back.</summary>
    private static string EnsureExecutable(string path)
    {
        if (!OperatingSystem.IsLinux()) return path;
        UnixFileMode mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | execute);
        return path;
    }
}

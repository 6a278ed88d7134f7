using System.Diagnostics;
using System.Text;

namespace Junction.Lab;

/// <summary>
/// A process started inside one of the lab's namespaces by <see cref="JunctionLab.StartProcess(LabSide, string, string[])"/>.
/// Its standard output and error are read continuously (so a chatty process such as <c>python3 -m http.server</c>
/// never blocks on a full pipe) and kept as text, up to <see cref="CaptureLimit"/> characters each.
/// The lab kills and reaps it on dispose if it is still running.
/// </summary>
public sealed class LabProcess : IDisposable
{
    /// <summary>How many characters of each output stream are kept; later output is read and discarded.</summary>
    public const int CaptureLimit = 1 << 20;

    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private int? _exitCodeAfterDispose;

    internal LabProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The underlying process (it is <c>ip netns exec</c>, which becomes the program by exec); disposed with this object.</summary>
    public Process Process { get; }

    /// <summary>The process id.</summary>
    public int Id => Process.Id;

    /// <summary>Whether the process has exited (always true once disposed).</summary>
    public bool HasExited => _exitCodeAfterDispose.HasValue || Process.HasExited;

    /// <summary>The exit status; only valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _exitCodeAfterDispose ?? Process.ExitCode;

    /// <summary>Standard output so far, as text.</summary>
    public string StandardOutput
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Standard error so far, as text.</summary>
    public string StandardError
    {
        get { lock (_error) return _error.ToString(); }
    }

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout)) return false;
        Process.WaitForExit(); // lets the output readers reach the end
        return true;
    }

    /// <summary>Kills the process and everything it started, and reaps it.</summary>
    public void Kill()
    {
        try
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        Process.WaitForExit();
    }

    /// <summary>Kills the process if it still runs and releases its handle.</summary>
    public void Dispose()
    {
        if (_exitCodeAfterDispose.HasValue) return;
        Kill();
        _exitCodeAfterDispose = Process.ExitCode;
        Process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null) return;
        lock (builder)
        {
            if (builder.Length + line.Length < CaptureLimit) builder.AppendLine(line);
        }
    }
}

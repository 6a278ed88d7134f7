using System.Diagnostics;
using System.Text;

namespace Junction.Tests.Packaging;

/// <summary>Collects what a running app prints (output and error) and lets a test wait for a line.</summary>
internal sealed class AppOutput
{
    private readonly StringBuilder _text = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    public AppOutput(Process process)
    {
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>True once a line containing <paramref name="text"/> was printed; false after <paramref name="timeout"/> (a hang detector).</summary>
    public async Task<bool> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_text)
        {
            if (_text.ToString().Contains(text, StringComparison.Ordinal)) return true;
            _waiters.Add((text, seen));
        }
        Task first = await Task.WhenAny(seen.Task, Task.Delay(timeout));
        return first == seen.Task;
    }

    public override string ToString()
    {
        lock (_text) return _text.ToString();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_text)
        {
            _text.AppendLine(line);
            foreach ((string text, TaskCompletionSource seen) in _waiters)
            {
                if (line.Contains(text, StringComparison.Ordinal)) seen.TrySetResult();
            }
        }
    }
}

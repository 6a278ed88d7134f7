using System.Diagnostics;

namespace Junction.Cli.Load;

/// <summary>
/// Runs load workers through a warm-up and then a measured window: only operations that complete inside the window
/// count. Workers loop until <see cref="Stopping"/>; <see cref="Record"/> and <see cref="AddBytes"/> are cheap and thread-safe.
/// </summary>
internal sealed class LoadWindow : IDisposable
{
    private long _operations;
    private long _bytes;
    private long _errors;
    private volatile bool _measuring;
    private readonly CancellationTokenSource _stop = new();

    public LatencyHistogram Histogram { get; } = new();

    public void Dispose() => _stop.Dispose();

    public bool Stopping => _stop.IsCancellationRequested;

    public CancellationToken StopToken => _stop.Token;

    /// <summary>Counts one operation that took from <paramref name="startTimestamp"/> to now, if the window is open.</summary>
    public void Record(long startTimestamp)
    {
        if (!_measuring) return;
        Histogram.Record(startTimestamp, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _operations);
    }

    /// <summary>Counts operations without timing them (datagrams sent).</summary>
    public void Count(long operations)
    {
        if (_measuring) Interlocked.Add(ref _operations, operations);
    }

    public void AddBytes(long bytes)
    {
        if (_measuring) Interlocked.Add(ref _bytes, bytes);
    }

    public void Error() => Interlocked.Increment(ref _errors);

    /// <summary>
    /// Starts <paramref name="workers"/>, waits out <paramref name="warmup"/>, calls <paramref name="onWindowStart"/>, measures
    /// for <paramref name="duration"/>, then stops the workers and waits for them (a worker's failure after the window does not count).
    /// </summary>
    public async Task<LoadFigures> RunAsync(IReadOnlyList<Func<LoadWindow, Task>> workers, TimeSpan warmup, TimeSpan duration, Action? onWindowStart, string generator, Action? onWindowEnd = null)
    {
        var tasks = new Task[workers.Count];
        for (int i = 0; i < workers.Count; i++)
        {
            Func<LoadWindow, Task> worker = workers[i];
            tasks[i] = Task.Run(() => worker(this));
        }
        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(warmup)).ConfigureAwait(false);
        ThrowIfAllFailed(tasks);
        _measuring = true;
        long start = Stopwatch.GetTimestamp();
        onWindowStart?.Invoke();
        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(duration)).ConfigureAwait(false);
        _measuring = false;
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        onWindowEnd?.Invoke();
        _stop.Cancel();
        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        ThrowIfAllFailed(tasks);
        return new LoadFigures
        {
            Seconds = seconds,
            Operations = Volatile.Read(ref _operations),
            Bytes = Volatile.Read(ref _bytes),
            P50Us = Histogram.Percentile(50),
            P99Us = Histogram.Percentile(99),
            Errors = Volatile.Read(ref _errors),
            Generator = generator,
        };
    }

    private static void ThrowIfAllFailed(Task[] tasks)
    {
        if (tasks.Length == 0) return;
        foreach (Task task in tasks)
        {
            if (!task.IsFaulted) return;
        }
        // Every worker failed (nothing listens, the link is down): say why rather than report zeros.
        tasks[0].GetAwaiter().GetResult();
    }
}

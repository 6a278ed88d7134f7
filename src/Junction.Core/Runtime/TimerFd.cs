using Junction.Interop;

namespace Junction.Runtime;

/// <summary>A Linux timerfd on the monotonic clock: how a parked instance's next deadline wakes an epoll wait.</summary>
internal sealed unsafe class TimerFd : IDisposable
{
    private int _fd;

    public TimerFd()
    {
        _fd = Libc.TimerFdCreate(Libc.CLOCK_MONOTONIC, Libc.TFD_NONBLOCK | Libc.TFD_CLOEXEC);
        if (_fd < 0) throw Errno.LastError("timerfd_create");
    }

    public int FileDescriptor => _fd;

    /// <summary>Fires once after <paramref name="delay"/> (at least a microsecond); <see cref="TimeSpan.MaxValue"/> disarms.</summary>
    public void Arm(TimeSpan delay)
    {
        var spec = default(Libc.Itimerspec);
        if (delay != TimeSpan.MaxValue)
        {
            long nanos = Math.Max(1000, delay.Ticks * 100);
            spec.Value.Seconds = nanos / 1_000_000_000;
            spec.Value.Nanoseconds = nanos % 1_000_000_000;
        }
        if (Libc.TimerFdSetTime(_fd, 0, &spec, null) != 0) throw Errno.LastError("timerfd_settime");
    }

    /// <summary>Reads the expiration count, so the descriptor is no longer readable.</summary>
    public void Drain()
    {
        ulong expirations;
        Libc.Read(_fd, &expirations, sizeof(ulong));
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Libc.Close(fd);
    }
}

using Junction.Interop;

namespace Junction.Runtime;

/// <summary>
/// A Linux eventfd: a counter another thread bumps to make a parked epoll wait return. Non-blocking, so
/// <see cref="Drain"/> never waits.
/// </summary>
internal sealed unsafe class EventFd : IDisposable
{
    private int _fd;

    public EventFd()
    {
        _fd = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_fd < 0) throw Errno.LastError("eventfd");
    }

    /// <summary>The descriptor to register with epoll (readable while the counter is not zero).</summary>
    public int FileDescriptor => _fd;

    /// <summary>Makes the descriptor readable; safe from any thread.</summary>
    public void Signal()
    {
        ulong one = 1;
        int fd = Volatile.Read(ref _fd);
        if (fd >= 0) Libc.Write(fd, &one, sizeof(ulong));
    }

    /// <summary>Resets the counter, so the descriptor is no longer readable.</summary>
    public void Drain()
    {
        ulong value;
        int fd = Volatile.Read(ref _fd);
        if (fd >= 0) Libc.Read(fd, &value, sizeof(ulong));
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Libc.Close(fd);
    }
}

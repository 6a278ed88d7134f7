using System.Runtime.InteropServices;
using Junction.Interop;

namespace Junction.Runtime;

/// <summary>
/// One epoll set. Registrations are one-shot: a descriptor reports once, then stays quiet until
/// <see cref="Rearm"/>, so a running instance's busy queue costs the waiting thread nothing.
/// </summary>
internal sealed unsafe class Epoll : IDisposable
{
    private static readonly bool Packed = RuntimeInformation.ProcessArchitecture == Architecture.X64;
    private int _fd;

    public Epoll()
    {
        _fd = Libc.EpollCreate1(Libc.EPOLL_CLOEXEC);
        if (_fd < 0) throw Errno.LastError("epoll_create1");
    }

    /// <summary>Adds <paramref name="fd"/>, reporting <paramref name="token"/> when readable; one-shot unless <paramref name="persistent"/>.</summary>
    public void Add(int fd, ulong token, bool persistent = false) =>
        Control(Libc.EPOLL_CTL_ADD, fd, token, persistent ? Libc.EPOLLIN : Libc.EPOLLIN | Libc.EPOLLONESHOT);

    /// <summary>Arms a one-shot registration again.</summary>
    public void Rearm(int fd, ulong token) =>
        Control(Libc.EPOLL_CTL_MOD, fd, token, Libc.EPOLLIN | Libc.EPOLLONESHOT);

    public void Remove(int fd)
    {
        var ev = default(Libc.EpollEventAligned);
        Libc.EpollCtl(_fd, Libc.EPOLL_CTL_DEL, fd, &ev);
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) and writes the ready tokens.</summary>
    /// <returns>How many tokens were written; 0 on timeout or interruption.</returns>
    public int Wait(Span<ulong> tokens, int timeoutMilliseconds)
    {
        int max = Math.Min(tokens.Length, 64);
        int n;
        if (Packed)
        {
            Libc.EpollEventPacked* events = stackalloc Libc.EpollEventPacked[max];
            n = Libc.EpollWait(_fd, events, max, timeoutMilliseconds);
            for (int i = 0; i < n; i++) tokens[i] = events[i].Data;
        }
        else
        {
            Libc.EpollEventAligned* events = stackalloc Libc.EpollEventAligned[max];
            n = Libc.EpollWait(_fd, events, max, timeoutMilliseconds);
            for (int i = 0; i < n; i++) tokens[i] = events[i].Data;
        }
        if (n >= 0) return n;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errno.EINTR) return 0;
        throw Errno.LastError("epoll_wait");
    }

    private void Control(int op, int fd, ulong token, uint events)
    {
        int result;
        if (Packed)
        {
            var ev = new Libc.EpollEventPacked { Events = events, Data = token };
            result = Libc.EpollCtl(_fd, op, fd, &ev);
        }
        else
        {
            var ev = new Libc.EpollEventAligned { Events = events, Data = token };
            result = Libc.EpollCtl(_fd, op, fd, &ev);
        }
        if (result != 0) throw Errno.LastError("epoll_ctl");
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Libc.Close(fd);
    }
}

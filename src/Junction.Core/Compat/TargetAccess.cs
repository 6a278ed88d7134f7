using Junction.Interop;

namespace Junction.Compat;

/// <summary>
/// Reaching into the processes under a supervisor: copies of their descriptors (pidfd_getfd, through a pidfd per
/// calling thread, kept while it lives) and their memory (process_vm_readv/writev). Callers check the notification
/// is still valid (SECCOMP_IOCTL_NOTIF_ID_VALID) after reading and before acting, since a thread id can be reused.
/// </summary>
internal sealed unsafe class TargetAccess : IDisposable
{
    private const int MaxCachedPidfds = 4096;
    private readonly Dictionary<int, int> _pidfds = [];
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>A copy of <paramref name="fd"/> of thread <paramref name="tid"/>'s process, or -1 (no such descriptor, or the thread is gone).</summary>
    public int Duplicate(int tid, int fd)
    {
        if (fd < 0) return -1;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            int pidfd = Pidfd(tid, fresh: attempt > 0);
            if (pidfd < 0) return -1;
            int copy = Libc.PidfdGetFd(pidfd, fd);
            if (copy >= 0) return copy;
            // ESRCH: the cached pidfd is of a thread that died (its id may now be another's): open anew once.
            if (Errno.Last != 3) return -1;
        }
        return -1;
    }

    public bool Read(int tid, ulong address, Span<byte> into)
    {
        if (into.IsEmpty) return true;
        if (address == 0) return false;
        fixed (byte* local = into)
        {
            var localVec = new Libc.IoVec { Base = local, Length = (nuint)into.Length };
            var remoteVec = new Libc.IoVec { Base = (void*)address, Length = (nuint)into.Length };
            return Libc.ProcessVmReadv(tid, &localVec, 1, &remoteVec, 1, 0) == into.Length;
        }
    }

    public bool Write(int tid, ulong address, ReadOnlySpan<byte> from)
    {
        if (from.IsEmpty) return true;
        if (address == 0) return false;
        fixed (byte* local = from)
        {
            var localVec = new Libc.IoVec { Base = local, Length = (nuint)from.Length };
            var remoteVec = new Libc.IoVec { Base = (void*)address, Length = (nuint)from.Length };
            return Libc.ProcessVmWritev(tid, &localVec, 1, &remoteVec, 1, 0) == from.Length;
        }
    }

    public bool ReadInt32(int tid, ulong address, out int value)
    {
        int read = 0;
        bool ok = Read(tid, address, new Span<byte>(&read, 4));
        value = read;
        return ok;
    }

    public bool WriteInt32(int tid, ulong address, int value) => Write(tid, address, new ReadOnlySpan<byte>(&value, 4));

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (int pidfd in _pidfds.Values) Libc.Close(pidfd);
            _pidfds.Clear();
        }
    }

    /// <summary>The process (thread group) id of thread <paramref name="tid"/>, from /proc; the tid itself when that cannot be read.</summary>
    private static int ThreadGroupOf(int tid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{tid}/status"))
            {
                if (line.StartsWith("Tgid:", StringComparison.Ordinal)) return int.Parse(line.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
            // The thread is gone.
        }
        return tid;
    }

    private int Pidfd(int tid, bool fresh)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pidfds.Remove(tid, out int cached))
            {
                if (!fresh)
                {
                    _pidfds[tid] = cached;
                    return cached;
                }
                Libc.Close(cached);
            }
            if (_pidfds.Count >= MaxCachedPidfds)
            {
                foreach (int pidfd in _pidfds.Values) Libc.Close(pidfd);
                _pidfds.Clear();
            }
            // Calls come from any thread: PIDFD_THREAD (Linux 6.9) opens a thread that does not lead its group; older
            // kernels refuse the flag (EINVAL), and then the thread's group leader stands for it.
            int opened = Libc.PidfdOpen(tid, Libc.PIDFD_THREAD);
            if (opened < 0 && Errno.Last == Errno.EINVAL) opened = Libc.PidfdOpen(ThreadGroupOf(tid), 0);
            if (opened >= 0) _pidfds[tid] = opened;
            return opened;
        }
    }
}

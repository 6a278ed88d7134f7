using Junction.Interop;

namespace Junction.Compat;

/// <summary>
/// Loopback is the kernel's: a program that binds or connects a fresh socket to 127.0.0.0/8 or ::1 (a local admin
/// port, a database on localhost, Go's start-up probe of IPv4-mapped binds) gets a kernel socket in its place. The
/// host opens one of the same family and type, replays the options the program set, installs it over the program's
/// descriptor (SECCOMP_ADDFD_FLAG_SETFD) and lets the kernel run the call; the emulated socket goes. The kernel
/// socket is made in the host's network namespace, which is the program's unless it was started in another.
/// </summary>
internal sealed partial class SeccompSupervisor
{
    private const int ProcCloseOnExecFlag = 0x80000;

    private Answer HandToKernel(in Notification notification, CompatSocket socket, int copy)
    {
        lock (Gate)
        {
            if (socket.State != CompatSocketState.Open) return Answer.Error(Errno.EINVAL);
        }
        int flags = Libc.Fcntl(copy, Libc.F_GETFL, 0);
        int type = (socket.IsUdp ? Libc.SOCK_DGRAM : Libc.SOCK_STREAM) | Libc.SOCK_CLOEXEC | (flags >= 0 && (flags & Libc.O_NONBLOCK) != 0 ? Libc.SOCK_NONBLOCK : 0);
        int kernel = Libc.Socket(socket.Family, type, 0);
        if (kernel < 0) return Answer.Error(Errno.Last);
        try
        {
            lock (Gate)
            {
                foreach (KeyValuePair<(int Level, int Name), byte[]> option in socket.Options) Replay(kernel, option.Key.Level, option.Key.Name, option.Value);
            }
            int fd = notification.IntArg(0);
            bool closeOnExec = CloseOnExec(notification.Pid, fd);
            if (!StillPending(notification.Id)) return Answer.Handled;
            if (Libc.SeccompAddFd(_notifyFd, notification.Id, kernel, Libc.SECCOMP_ADDFD_FLAG_SETFD, closeOnExec ? Libc.O_CLOEXEC : 0, fd) < 0)
                return Errno.Last == Errno.ENOENT ? Answer.Handled : Answer.Error(Errno.Last);
        }
        finally
        {
            Libc.Close(kernel);
        }
        lock (Gate)
        {
            Forget(socket);
            socket.Close();
        }
        return Answer.Continue;
    }

    private static unsafe void Replay(int fd, int level, int name, byte[] value)
    {
        fixed (byte* data = value) Libc.SetSockOpt(fd, level, name, data, (uint)value.Length);
    }

    /// <summary>Whether the program's descriptor is close-on-exec (the "flags:" line of /proc/TID/fdinfo/FD, in octal).</summary>
    private static bool CloseOnExec(int tid, int fd)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{tid}/fdinfo/{fd}"))
            {
                if (!line.StartsWith("flags:", StringComparison.Ordinal)) continue;
                long flags = 0;
                foreach (char digit in line.AsSpan(6).Trim()) flags = (flags * 8) + (digit - '0');
                return (flags & ProcCloseOnExecFlag) != 0;
            }
        }
        catch (IOException)
        {
            // The thread is gone; the call will not complete anyway.
        }
        return false;
    }
}

using Junction.Interop;
using Junction.Runtime;

namespace Junction.Compat;

/// <summary>
/// The host side of Junction's control path for one launched program (and every process it forks, which share its
/// filter): a thread that receives the socket calls the filter caught, answers those about Junction sockets from the
/// instance's stack and lets the kernel run the others. It never blocks on a call: a blocking accept or connect is
/// answered later, from the completion that ends it. When the last process using the filter is gone (the
/// notification descriptor hangs up) every emulated socket is closed and everything is freed.
/// </summary>
internal sealed partial class SeccompSupervisor : IDisposable
{
    private const short PollHangUp = 0x10;
    private readonly RuntimeInstance _instance;
    private readonly int _notifyFd;
    private readonly int _wakeFd;
    private readonly TargetAccess _target = new();
    private readonly Dictionary<ulong, CompatSocket> _sockets = [];
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closed;

    /// <summary>Takes ownership of <paramref name="notifyFd"/>, the filter's notification descriptor.</summary>
    public SeccompSupervisor(RuntimeInstance instance, int notifyFd, JunctionProcessStatistics statistics)
    {
        _instance = instance;
        _notifyFd = notifyFd;
        Statistics = statistics;
        _wakeFd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (_wakeFd < 0) throw Errno.LastError("eventfd");
        _thread = new Thread(Run) { IsBackground = true, Name = "junction-seccomp" };
    }

    /// <summary>Guards the socket table and every <see cref="CompatSocket"/>.</summary>
    public object Gate { get; } = new();

    public JunctionProcessStatistics Statistics { get; }

    /// <summary>Completes once the supervisor stopped and freed everything.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Emulated sockets alive now.</summary>
    public int SocketCount
    {
        get
        {
            lock (Gate) return _sockets.Count;
        }
    }

    public void Start() => _thread.Start();

    /// <summary>Stops answering (calls still caught then fail with ENOSYS) and frees everything.</summary>
    public unsafe void RequestStop()
    {
        ulong one = 1;
        Libc.Write(_wakeFd, &one, 8);
    }

    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            RequestStop();
            _thread.Join();
        }
        else if (!_stopped.Task.IsCompleted)
        {
            TearDown();
        }
    }

    /// <summary>Drops <paramref name="socket"/> from the table (under <see cref="Gate"/>).</summary>
    public void Forget(CompatSocket socket)
    {
        if (_sockets.TryGetValue(socket.Inode, out CompatSocket? current) && current == socket) _sockets.Remove(socket.Inode);
    }

    private unsafe void Run()
    {
        Libc.SeccompNotif raw;
        Libc.PollFd* fds = stackalloc Libc.PollFd[2];
        try
        {
            while (true)
            {
                fds[0] = new Libc.PollFd { Fd = _notifyFd, Events = Libc.POLLIN };
                fds[1] = new Libc.PollFd { Fd = _wakeFd, Events = Libc.POLLIN };
                if (Libc.Poll(fds, 2, -1) < 0)
                {
                    if (Errno.Last == Errno.EINTR) continue;
                    break;
                }
                if (fds[1].Revents != 0) break;
                if ((fds[0].Revents & Libc.POLLIN) != 0)
                {
                    if (Libc.SeccompReceive(_notifyFd, &raw) != 0)
                    {
                        // ENOENT: the caller was interrupted before we took the call.
                        if (Errno.Last is Errno.ENOENT or Errno.EINTR) continue;
                        break;
                    }
                    Handle(new Notification(raw));
                    continue;
                }
                if ((fds[0].Revents & (PollHangUp | Libc.POLLERR)) != 0) break;
            }
        }
        finally
        {
            TearDown();
        }
    }

    private void Handle(in Notification notification)
    {
        Statistics.Caught();
        Answer answer;
        try
        {
            answer = notification.Call switch
            {
                SocketCall.Socket => OnSocket(notification),
                SocketCall.Bind => OnBind(notification),
                SocketCall.Listen => OnListen(notification),
                SocketCall.Accept or SocketCall.Accept4 => OnAccept(notification),
                SocketCall.Connect => OnConnect(notification),
                SocketCall.GetSockName => OnName(notification, peer: false),
                SocketCall.GetPeerName => OnName(notification, peer: true),
                SocketCall.GetSockOpt => OnGetSockOpt(notification),
                SocketCall.SetSockOpt => OnSetSockOpt(notification),
                SocketCall.Shutdown => OnShutdown(notification),
                SocketCall.SendTo or SocketCall.SendMsg => OnSend(notification),
                SocketCall.RecvFrom or SocketCall.RecvMsg => OnReceive(notification),
                _ => Answer.Continue,
            };
        }
#pragma warning disable CA1031 // A bug in one answer must not take the host (and every other call) down: the caller gets EINVAL.
        catch (Exception)
#pragma warning restore CA1031
        {
            answer = Answer.Error(Errno.EINVAL);
        }
        Send(notification.Id, answer);
    }

    /// <summary>Sends <paramref name="answer"/>; a caller that went away meanwhile (ENOENT) is not an error.</summary>
    private void Send(ulong id, Answer answer)
    {
        switch (answer.Kind)
        {
            case AnswerKind.Continue:
                Statistics.PassedOn();
                Libc.SeccompSend(_notifyFd, id, 0, 0, Libc.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
                break;
            case AnswerKind.Value:
                Statistics.Emulated();
                Libc.SeccompSend(_notifyFd, id, answer.Value, 0, 0);
                break;
            case AnswerKind.Error:
                Statistics.Emulated();
                Statistics.Failed();
                Libc.SeccompSend(_notifyFd, id, 0, -(int)answer.Value, 0);
                break;
            default:
                break;
        }
    }

    /// <summary>Answers a deferred call from a completion (under <see cref="Gate"/>); nothing once the supervisor closed.</summary>
    private void SendLater(ulong id, int errno)
    {
        if (_closed) return;
        Send(id, errno == 0 ? Answer.Return(0) : Answer.Error(errno));
    }

    /// <summary>Whether the call is still waiting (its thread alive and not interrupted): checked after reading the caller's memory and before acting on it.</summary>
    private bool StillPending(ulong id) => !_closed && Libc.SeccompIdValid(_notifyFd, id);

    /// <summary>
    /// The Junction socket behind descriptor argument 0 of the call, found by the inode of the caller's file (so dup,
    /// fork and exec do not matter), with a copy of the caller's descriptor the caller of this method closes; null
    /// (and no copy) for any other descriptor.
    /// </summary>
    private CompatSocket? Resolve(in Notification notification, out int copy)
    {
        copy = _target.Duplicate(notification.Pid, notification.IntArg(0));
        if (copy < 0) return null;
        if (Libc.TryGetFileIdentity(copy, out _, out ulong inode))
        {
            lock (Gate)
            {
                if (_sockets.TryGetValue(inode, out CompatSocket? socket) && socket.State != CompatSocketState.Closed) return socket;
            }
        }
        Libc.Close(copy);
        copy = -1;
        return null;
    }

    private static void CloseCopy(int copy)
    {
        if (copy >= 0) Libc.Close(copy);
    }

    private static bool IsNonBlocking(int fd)
    {
        int flags = Libc.Fcntl(fd, Libc.F_GETFL, 0);
        return flags >= 0 && (flags & Libc.O_NONBLOCK) != 0;
    }

    private void TearDown()
    {
        CompatSocket[] sockets;
        lock (Gate)
        {
            if (_closed) return;
            _closed = true;
            sockets = [.. _sockets.Values];
            _sockets.Clear();
            // A connected socket is left to its bridge: the program's end is closed now (it exited), so the bridge
            // still sends what the program wrote before it, then the FIN, and closes the socket itself — as a kernel
            // keeps delivering a closed socket's data. Closing it here would reset the connection under that data.
            foreach (CompatSocket socket in sockets)
            {
                if (socket.State != CompatSocketState.Connected) socket.Close();
            }
        }
        _target.Dispose();
        Libc.Close(_notifyFd);
        Libc.Close(_wakeFd);
        _stopped.TrySetResult();
    }
}

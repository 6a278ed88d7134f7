using System.Net;
using System.Net.Sockets;
using Junction.Interop;
using Junction.Sockets;

namespace Junction.Compat;

/// <summary>socket, bind, listen, accept, connect, getsockname/getpeername and shutdown for Junction TCP sockets.</summary>
internal sealed partial class SeccompSupervisor
{
    private const int TypeMask = 0xf;
    private const int MaxBacklog = 4096;

    /// <summary>
    /// socket(AF_INET or AF_INET6, SOCK_STREAM or SOCK_DGRAM, 0 or TCP/UDP): a socket pair (stream for TCP, seqpacket
    /// for UDP: one record per datagram) whose one end is installed in the caller as the call's return value
    /// (SECCOMP_ADDFD_FLAG_SEND); other types (raw, ICMP) are the kernel's.
    /// </summary>
    private unsafe Answer OnSocket(in Notification notification)
    {
        int domain = notification.IntArg(0);
        int type = notification.IntArg(1);
        int protocol = notification.IntArg(2);
        bool tcp = (type & TypeMask) == Libc.SOCK_STREAM && protocol is 0 or (int)ProtocolType.Tcp;
        bool udp = (type & TypeMask) == Libc.SOCK_DGRAM && protocol is 0 or (int)ProtocolType.Udp;
        if (!tcp && !udp) return Answer.Continue;
        if ((type & ~(TypeMask | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC)) != 0) return Answer.Error(Errno.EINVAL);
        int* pair = stackalloc int[2];
        if (Libc.SocketPair(Libc.AF_UNIX, (tcp ? Libc.SOCK_STREAM : Libc.SOCK_SEQPACKET) | Libc.SOCK_CLOEXEC, 0, pair) != 0) return Answer.Error(Errno.Last);
        int programEnd = pair[1];
        CompatSocket socket;
        try
        {
            if ((type & Libc.SOCK_NONBLOCK) != 0) Libc.Fcntl(programEnd, Libc.F_SETFL, Libc.O_NONBLOCK);
            if (!Libc.TryGetFileIdentity(programEnd, out _, out ulong inode)) return Answer.Error(Errno.Last);
            var host = new Socket(new SafeSocketHandle(pair[0], ownsHandle: true));
            pair[0] = -1;
            JunctionSocket junction = tcp ? new JunctionSocket(_instance, SocketType.Stream, ProtocolType.Tcp) : new JunctionSocket(_instance, SocketType.Dgram, ProtocolType.Udp);
            socket = new CompatSocket(this, domain, inode, host, junction);
            if (!Install(notification.Id, socket, programEnd, (type & Libc.SOCK_CLOEXEC) != 0, out int errno))
                return errno == Errno.ENOENT ? Answer.Handled : Answer.Error(errno);
        }
        finally
        {
            if (pair[0] >= 0) Libc.Close(pair[0]);
            Libc.Close(programEnd);
        }
        Statistics.SocketCreated();
        Statistics.Emulated();
        _ = socket.IsUdp ? UdpBridge.FromProgramAsync(this, socket) : socket.WatchAsync();
        return Answer.Handled;
    }

    /// <summary>Registers <paramref name="socket"/> and installs its program end in the caller as the call's result; on failure lets it go.</summary>
    private bool Install(ulong id, CompatSocket socket, int programEnd, bool closeOnExec, out int errno)
    {
        lock (Gate)
        {
            errno = Errno.ENOENT;
            if (_closed)
            {
                socket.Close();
                return false;
            }
            _sockets[socket.Inode] = socket;
            int installed = Libc.SeccompAddFd(_notifyFd, id, programEnd, Libc.SECCOMP_ADDFD_FLAG_SEND, closeOnExec ? Libc.O_CLOEXEC : 0);
            if (installed >= 0) return true;
            errno = Errno.Last;
            Forget(socket);
            socket.Close();
            return false;
        }
    }

    private Answer OnBind(in Notification notification)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        if (socket is null) return Answer.Continue;
        try
        {
            int length = notification.IntArg(2);
            if (length is < 2 or > SocketAddressCodec.MaxSize) return Answer.Error(Errno.EINVAL);
            Span<byte> raw = stackalloc byte[length];
            if (!_target.Read(notification.Pid, notification.Arg(1), raw)) return Answer.Error(Errno.EFAULT);
            if (!StillPending(notification.Id)) return Answer.Handled;
            int error = SocketAddressCodec.Parse(raw, socket.Family, out IPEndPoint endPoint, out SocketAddressCodec.Kind kind);
            if (error != 0) return Answer.Error(error);
            if (IPAddress.IsLoopback(endPoint.Address)) return HandToKernel(notification, socket, copy);
            lock (Gate)
            {
                if (socket.State != CompatSocketState.Open) return Answer.Error(Errno.EINVAL);
                bool any = endPoint.Address.Equals(IPAddress.Any);
                // No IPv6 address exists here: a v6-only socket, or a real IPv6 address, has nothing to bind to.
                if (kind == SocketAddressCodec.Kind.Ipv6Only || socket.V6Only && any) return Answer.Error(Errno.EADDRNOTAVAIL);
                try
                {
                    socket.Junction.Bind(endPoint);
                }
                catch (SocketException e)
                {
                    return Answer.Error(SocketErrno.From(e.SocketErrorCode));
                }
                socket.BoundToAny = any;
                socket.State = CompatSocketState.Bound;
                if (socket.IsUdp) EnsureReceiving(socket);
                return Answer.Return(0);
            }
        }
        finally
        {
            CloseCopy(copy);
        }
    }

    private Answer OnListen(in Notification notification)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        CloseCopy(copy);
        if (socket is null) return Answer.Continue;
        int backlog = Math.Clamp(notification.IntArg(1), 1, MaxBacklog);
        if (socket.IsUdp) return Answer.Error(Errno.EOPNOTSUPP);
        lock (Gate)
        {
            switch (socket.State)
            {
                case CompatSocketState.Listening:
                    return Answer.Return(0);
                case CompatSocketState.Open or CompatSocketState.Bound:
                    break;
                default:
                    return Answer.Error(Errno.EINVAL);
            }
            try
            {
                socket.Junction.Listen(backlog);
            }
            catch (SocketException e)
            {
                return Answer.Error(SocketErrno.From(e.SocketErrorCode));
            }
            socket.State = CompatSocketState.Listening;
        }
        _ = AcceptLoopAsync(socket);
        return Answer.Return(0);
    }

    /// <summary>Takes every connection the listener establishes and gives it to a waiting accept or queues it (one token byte each).</summary>
    private async Task AcceptLoopAsync(CompatSocket listener)
    {
        while (true)
        {
            JunctionSocket connection;
            try
            {
                connection = await listener.Junction.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            lock (Gate)
            {
                if (listener.State != CompatSocketState.Listening)
                {
                    connection.Dispose();
                    return;
                }
                bool handed = false;
                while (!handed && listener.Waiters.TryDequeue(out AcceptRequest waiter)) handed = CompleteAccept(waiter, listener, connection);
                if (!handed) Enqueue(listener, connection);
            }
        }
    }

    /// <summary>Queues a connection and makes the listener's program end readable by one more token byte.</summary>
    private static unsafe void Enqueue(CompatSocket listener, JunctionSocket connection)
    {
        listener.Pending.AddLast(connection);
        byte token = 1;
        Libc.SendTo(listener.HostFd, &token, 1, Libc.MSG_DONTWAIT, null, 0);
    }

    private unsafe Answer OnAccept(in Notification notification)
    {
        CompatSocket? listener = Resolve(notification, out int copy);
        if (listener is null) return Answer.Continue;
        try
        {
            int flags = notification.Call == SocketCall.Accept4 ? notification.IntArg(3) : 0;
            if ((flags & ~(Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC)) != 0) return Answer.Error(Errno.EINVAL);
            if (listener.IsUdp) return Answer.Error(Errno.EOPNOTSUPP);
            var request = new AcceptRequest(notification.Id, notification.Pid, notification.Arg(1), notification.Arg(2), flags);
            lock (Gate)
            {
                if (listener.State != CompatSocketState.Listening) return Answer.Error(Errno.EINVAL);
                if (listener.Pending.First is LinkedListNode<JunctionSocket> first)
                {
                    listener.Pending.RemoveFirst();
                    byte token;
                    Libc.RecvFrom(copy, &token, 1, Libc.MSG_DONTWAIT, null, null);
                    if (CompleteAccept(request, listener, first.Value)) return Answer.Handled;
                    // The caller went away (a signal): the connection waits for the next accept.
                    Enqueue(listener, first.Value);
                    return Answer.Handled;
                }
                if (IsNonBlocking(copy)) return Answer.Error(Errno.EAGAIN);
                listener.Waiters.Enqueue(request);
                Statistics.Deferred();
                return Answer.Handled;
            }
        }
        finally
        {
            CloseCopy(copy);
        }
    }

    /// <summary>
    /// Gives <paramref name="connection"/> to an accept (under <see cref="Gate"/>): a new socket pair, the peer's
    /// address written to the caller, the program end installed as the call's result. False if it did not take the connection (the caller went away, or got an error).
    /// </summary>
    private unsafe bool CompleteAccept(in AcceptRequest request, CompatSocket listener, JunctionSocket connection)
    {
        if (_closed) return false;
        int* pair = stackalloc int[2];
        if (Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair) != 0)
        {
            Send(request.Id, Answer.Error(Errno.Last));
            connection.Dispose();
            return true;
        }
        int programEnd = pair[1];
        try
        {
            if ((request.Flags & Libc.SOCK_NONBLOCK) != 0) Libc.Fcntl(programEnd, Libc.F_SETFL, Libc.O_NONBLOCK);
            Libc.TryGetFileIdentity(programEnd, out _, out ulong inode);
            if (request.AddressPointer != 0 && connection.RemoteEndPoint is IPEndPoint remote
                && _target.ReadInt32(request.Pid, request.LengthPointer, out int length) && length >= 0)
            {
                Span<byte> raw = stackalloc byte[SocketAddressCodec.Inet6Size];
                int size = SocketAddressCodec.Format(remote, listener.Family, raw);
                if (!StillPending(request.Id))
                {
                    Libc.Close(pair[0]);
                    return false;
                }
                _target.Write(request.Pid, request.AddressPointer, raw[..Math.Min(length, size)]);
                _target.WriteInt32(request.Pid, request.LengthPointer, size);
            }
            var accepted = new CompatSocket(this, listener.Family, inode, new Socket(new SafeSocketHandle(pair[0], ownsHandle: true)), connection)
            {
                State = CompatSocketState.Connected,
            };
            _sockets[inode] = accepted;
            int installed = Libc.SeccompAddFd(_notifyFd, request.Id, programEnd, Libc.SECCOMP_ADDFD_FLAG_SEND, (request.Flags & Libc.SOCK_CLOEXEC) != 0 ? Libc.O_CLOEXEC : 0);
            if (installed < 0)
            {
                // ENOENT: the caller went away. Anything else (EMFILE) is the call's answer, as the kernel's accept
                // would fail; either way the connection waits for the next accept.
                int errno = Errno.Last;
                if (errno != Errno.ENOENT) Send(request.Id, Answer.Error(errno));
                Forget(accepted);
                accepted.Host.Dispose();
                return false;
            }
            Statistics.Emulated();
            Statistics.Accepted();
            _ = ByteBridge.RunAsync(this, accepted, connection.Connection!);
            return true;
        }
        finally
        {
            Libc.Close(programEnd);
        }
    }

    private Answer OnConnect(in Notification notification)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        if (socket is null) return Answer.Continue;
        try
        {
            int length = notification.IntArg(2);
            if (length is < 2 or > SocketAddressCodec.MaxSize) return Answer.Error(Errno.EINVAL);
            Span<byte> raw = stackalloc byte[length];
            if (!_target.Read(notification.Pid, notification.Arg(1), raw)) return Answer.Error(Errno.EFAULT);
            if (!StillPending(notification.Id)) return Answer.Handled;
            if (SocketAddressCodec.Parse(raw, socket.Family, out IPEndPoint target, out _) == 0 && IPAddress.IsLoopback(target.Address))
                return HandToKernel(notification, socket, copy);
            if (socket.IsUdp) return OnUdpConnect(socket, raw);
            int error = SocketAddressCodec.Parse(raw, socket.Family, out IPEndPoint remote, out SocketAddressCodec.Kind kind);
            if (error != 0) return Answer.Error(error);
            // The stack reaches IPv4 peers off this host: a real IPv6 address, loopback or "this host" is unreachable from it.
            if (kind == SocketAddressCodec.Kind.Ipv6Only || socket.V6Only) return Answer.Error(Errno.ENETUNREACH);
            if (IsUnreachable(remote)) return Answer.Error(Errno.ENETUNREACH);
            lock (Gate)
            {
                switch (socket.State)
                {
                    case CompatSocketState.Connected:
                        return Answer.Error(Errno.EISCONN);
                    case CompatSocketState.Connecting:
                        return Answer.Error(Errno.EALREADY);
                    case CompatSocketState.Open or CompatSocketState.Bound:
                        break;
                    default:
                        return Answer.Error(Errno.EINVAL);
                }
                bool nonBlocking = IsNonBlocking(copy);
                socket.State = CompatSocketState.Connecting;
                if (nonBlocking)
                {
                    Fill(socket, copy);
                    copy = -1;
                }
                else
                {
                    Statistics.Deferred();
                }
                ulong? deferred = nonBlocking ? null : notification.Id;
                _ = Task.Run(() => ConnectAsync(socket, remote, deferred));
                return nonBlocking ? Answer.Error(Errno.EINPROGRESS) : Answer.Handled;
            }
        }
        finally
        {
            CloseCopy(copy);
        }
    }

    private async Task ConnectAsync(CompatSocket socket, IPEndPoint remote, ulong? deferred)
    {
        int error = 0;
        try
        {
            await socket.Junction.ConnectAsync(remote).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            error = SocketErrno.From(e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            error = Errno.ECONNABORTED;
        }
        lock (Gate)
        {
            if (socket.State == CompatSocketState.Closed)
            {
                if (deferred is ulong gone) SendLater(gone, Errno.ECONNABORTED);
                return;
            }
            Unfill(socket);
            if (error == 0)
            {
                socket.State = CompatSocketState.Connected;
                Statistics.Connected();
                _ = ByteBridge.RunAsync(this, socket, socket.Junction.Connection!);
            }
            else
            {
                socket.State = CompatSocketState.Failed;
                if (deferred is null) socket.PendingError = error;
                _ = socket.WatchAsync();
            }
            if (deferred is ulong id) SendLater(id, error);
        }
    }

    /// <summary>
    /// A non-blocking connect in progress: the program's end must poll unwritable until the handshake ends, as a
    /// connecting TCP socket does. Shrinks its send buffer and fills it from a copy of the program's end (the bytes
    /// wait in the host end, unread); <see cref="Unfill"/> restores the buffer and drains them.
    /// </summary>
    private static unsafe void Fill(CompatSocket socket, int programEndCopy)
    {
        int size = 0;
        uint length = 4;
        Libc.GetSockOpt(programEndCopy, Libc.SOL_SOCKET, Libc.SO_SNDBUF, &size, &length);
        int smallest = 1;
        Libc.SetSockOpt(programEndCopy, Libc.SOL_SOCKET, Libc.SO_SNDBUF, &smallest, 4);
        byte* zeros = stackalloc byte[512];
        new Span<byte>(zeros, 512).Clear();
        int filled = 0;
        nint sent;
        while ((sent = Libc.SendTo(programEndCopy, zeros, 512, Libc.MSG_DONTWAIT, null, 0)) > 0) filled += (int)sent;
        socket.SavedSendBuffer = size;
        socket.FillerBytes = filled;
        socket.ProgramEndCopy = programEndCopy;
    }

    private static unsafe void Unfill(CompatSocket socket)
    {
        if (socket.ProgramEndCopy < 0) return;
        int size = Math.Max(socket.SavedSendBuffer / 2, 1);
        Libc.SetSockOpt(socket.ProgramEndCopy, Libc.SOL_SOCKET, Libc.SO_SNDBUF, &size, 4);
        byte* sink = stackalloc byte[4096];
        int remaining = socket.FillerBytes;
        while (remaining > 0)
        {
            nint received = Libc.RecvFrom(socket.HostFd, sink, (nuint)Math.Min(remaining, 4096), Libc.MSG_DONTWAIT, null, null);
            if (received <= 0) break;
            remaining -= (int)received;
        }
        Libc.Close(socket.ProgramEndCopy);
        socket.ProgramEndCopy = -1;
        socket.FillerBytes = 0;
    }

    private Answer OnName(in Notification notification, bool peer)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        CloseCopy(copy);
        if (socket is null) return Answer.Continue;
        ulong lengthPointer = notification.Arg(2);
        if (!_target.ReadInt32(notification.Pid, lengthPointer, out int length)) return Answer.Error(Errno.EFAULT);
        if (length < 0) return Answer.Error(Errno.EINVAL);
        IPEndPoint endPoint;
        lock (Gate)
        {
            if (peer && socket.IsUdp)
            {
                if (socket.UdpPeer is not IPEndPoint udpPeer) return Answer.Error(Errno.ENOTCONN);
                endPoint = udpPeer;
            }
            else if (peer)
            {
                if (socket.State != CompatSocketState.Connected || socket.Junction.RemoteEndPoint is not IPEndPoint remote) return Answer.Error(Errno.ENOTCONN);
                endPoint = remote;
            }
            else
            {
                endPoint = socket.LocalEndPoint;
            }
        }
        Span<byte> raw = stackalloc byte[SocketAddressCodec.Inet6Size];
        int size = SocketAddressCodec.Format(endPoint, socket.Family, raw);
        if (!StillPending(notification.Id)) return Answer.Handled;
        if (!_target.Write(notification.Pid, notification.Arg(1), raw[..Math.Min(length, size)])) return Answer.Error(Errno.EFAULT);
        _target.WriteInt32(notification.Pid, lengthPointer, size);
        return Answer.Return(0);
    }

    /// <summary>shutdown on a connected socket is the kernel's, on the program's end: SHUT_WR reaches the host as EOF (a FIN), SHUT_RD stays local.</summary>
    private Answer OnShutdown(in Notification notification)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        CloseCopy(copy);
        if (socket is null) return Answer.Continue;
        lock (Gate) return socket.State == CompatSocketState.Connected || socket.UdpPeer is not null ? Answer.Continue : Answer.Error(Errno.ENOTCONN);
    }
}

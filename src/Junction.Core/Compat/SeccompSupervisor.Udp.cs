using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Junction.Interop;
using Junction.Wire;

namespace Junction.Compat;

/// <summary>
/// UDP on Junction sockets: sendto/sendmsg with an address send from the caller's memory; recvfrom/recvmsg with an
/// address take the next datagram from the program's end and write its sender (remembered when the host put the
/// datagram there); connect sets the default peer. Plain read/write/send/recv on a connected socket never reach the
/// host as calls: the pair carries them.
/// </summary>
internal sealed partial class SeccompSupervisor
{
    private const int MaxDatagram = 65535 - 8 - 20;
    private const int MsgDontWait = 0x40;
    private const int MaxIovecs = 1024;
    private const int MessageHeaderSize = 56;
    private const int Emsgsize = 90;
    private readonly byte[] _datagram = new byte[65536];

    /// <summary>Puts a received datagram in the program's end and answers waiting receives (from the receive loop).</summary>
    public void Deliver(CompatSocket socket, ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        lock (Gate)
        {
            if (socket.State == CompatSocketState.Closed) return;
            if (socket.UdpPeer is IPEndPoint peer && !peer.Equals(from)) return;
            if (!SendRecord(socket.HostFd, datagram)) return; // The program's end is full: dropped, as a full socket buffer drops.
            socket.UdpSources.Enqueue(new DatagramSource(from, datagram.Length, DatagramSource.HashOf(datagram)));
            while (socket.UdpWaiters.TryPeek(out DatagramReceive? waiter))
            {
                if (!CompleteReceive(socket, waiter)) break;
                socket.UdpWaiters.Dequeue();
                Libc.Close(waiter.ProgramEndCopy);
            }
        }
    }

    private static unsafe bool SendRecord(int fd, ReadOnlySpan<byte> datagram)
    {
        fixed (byte* data = datagram) return Libc.SendTo(fd, data, (nuint)datagram.Length, Libc.MSG_DONTWAIT, null, 0) >= 0;
    }

    /// <summary>Starts the receive loop once the socket has a port (under <see cref="Gate"/>).</summary>
    private void EnsureReceiving(CompatSocket socket)
    {
        if (socket.UdpReceiving || socket.Junction.LocalEndPoint is null) return;
        socket.UdpReceiving = true;
        _ = UdpBridge.ToProgramAsync(this, socket);
    }

    private Answer OnUdpConnect(CompatSocket socket, ReadOnlySpan<byte> raw)
    {
        if (BinaryPrimitives.ReadUInt16LittleEndian(raw) == 0)
        {
            lock (Gate) socket.UdpPeer = null; // AF_UNSPEC: dissolve the association.
            return Answer.Return(0);
        }
        int error = SocketAddressCodec.Parse(raw, socket.Family, out IPEndPoint remote, out SocketAddressCodec.Kind kind);
        if (error != 0) return Answer.Error(error);
        if (kind == SocketAddressCodec.Kind.Ipv6Only || IsUnreachable(remote)) return Answer.Error(Errno.ENETUNREACH);
        lock (Gate)
        {
            try
            {
                socket.Junction.ConnectAsync(remote).AsTask().GetAwaiter().GetResult();
            }
            catch (SocketException e)
            {
                return Answer.Error(SocketErrno.From(e.SocketErrorCode));
            }
            socket.UdpPeer = remote;
            EnsureReceiving(socket);
        }
        return Answer.Return(0);
    }

    /// <summary>Loopback, "this host" and destinations the stack has no route to (no gateway): Linux fails those with ENETUNREACH at once.</summary>
    private bool IsUnreachable(IPEndPoint remote)
    {
        byte[] bytes = remote.Address.GetAddressBytes();
        return bytes[0] is 0 or 127 || !_instance.Stack.CanRoute(new Ipv4Address(bytes[0], bytes[1], bytes[2], bytes[3]));
    }

    private Answer OnSend(in Notification notification)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        CloseCopy(copy);
        if (socket is null || !socket.IsUdp) return Answer.Continue;
        int pid = notification.Pid;
        ulong name;
        int nameLength;
        (ulong Address, long Length)[] buffers;
        if (notification.Call == SocketCall.SendTo)
        {
            name = notification.Arg(4);
            nameLength = notification.IntArg(5);
            buffers = [(notification.Arg(1), (long)notification.Arg(2))];
        }
        else
        {
            if (!ReadMessageHeader(pid, notification.Arg(1), out name, out nameLength, out buffers)) return Answer.Error(Errno.EFAULT);
            if (name == 0)
            {
                // No address: the kernel writes the payload into the pair, which sends it to the connected peer.
                lock (Gate) return socket.UdpPeer is null ? Answer.Error(Errno.EDESTADDRREQ) : Answer.Continue;
            }
        }
        if (nameLength is < 2 or > SocketAddressCodec.MaxSize) return Answer.Error(Errno.EINVAL);
        Span<byte> raw = stackalloc byte[nameLength];
        if (!_target.Read(pid, name, raw)) return Answer.Error(Errno.EFAULT);
        int error = SocketAddressCodec.Parse(raw, socket.Family, out IPEndPoint remote, out SocketAddressCodec.Kind kind);
        if (error != 0) return Answer.Error(error);
        if (kind == SocketAddressCodec.Kind.Ipv6Only || IsUnreachable(remote)) return Answer.Error(Errno.ENETUNREACH);
        long total = 0;
        foreach ((_, long length) in buffers) total += length;
        if (total > MaxDatagram) return Answer.Error(Emsgsize);
        lock (Gate)
        {
            int at = 0;
            foreach ((ulong address, long length) in buffers)
            {
                if (!_target.Read(pid, address, _datagram.AsSpan(at, (int)length))) return Answer.Error(Errno.EFAULT);
                at += (int)length;
            }
            if (!StillPending(notification.Id)) return Answer.Handled;
            try
            {
                socket.Junction.SendTo(_datagram.AsSpan(0, at), remote);
            }
            catch (SocketException e)
            {
                return Answer.Error(SocketErrno.From(e.SocketErrorCode));
            }
            EnsureReceiving(socket);
            return Answer.Return(at);
        }
    }

    private Answer OnReceive(in Notification notification)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        if (socket is null || !socket.IsUdp)
        {
            CloseCopy(copy);
            return Answer.Continue;
        }
        try
        {
            int pid = notification.Pid;
            DatagramReceive request;
            if (notification.Call == SocketCall.RecvFrom)
            {
                if (!_target.ReadInt32(pid, notification.Arg(5), out int capacity)) return Answer.Error(Errno.EFAULT);
                if (capacity < 0) return Answer.Error(Errno.EINVAL);
                request = new DatagramReceive(notification.Id, pid, notification.IntArg(3), [(notification.Arg(1), (long)notification.Arg(2))],
                    notification.Arg(4), notification.Arg(5), capacity, 0, copy);
            }
            else
            {
                ulong header = notification.Arg(1);
                if (!ReadMessageHeader(pid, header, out ulong name, out int nameCapacity, out (ulong, long)[] buffers)) return Answer.Error(Errno.EFAULT);
                // Without a name the kernel reads the record from the pair itself.
                if (name == 0) return Answer.Continue;
                request = new DatagramReceive(notification.Id, pid, notification.IntArg(2), buffers, name, header + 8, nameCapacity, header, copy);
            }
            lock (Gate)
            {
                if (CompleteReceive(socket, request)) return Answer.Handled;
                if ((request.Flags & MsgDontWait) != 0 || IsNonBlocking(copy)) return Answer.Error(Errno.EAGAIN);
                socket.UdpWaiters.Enqueue(request);
                copy = -1;
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
    /// Takes the next datagram from the program's end through the request's copy and answers the call (under
    /// <see cref="Gate"/>): payload into the caller's buffers, sender into its address. False when none is waiting.
    /// </summary>
    private unsafe bool CompleteReceive(CompatSocket socket, DatagramReceive request)
    {
        bool peek = (request.Flags & Libc.MSG_PEEK) != 0;
        nint received;
        fixed (byte* data = _datagram)
        {
            received = Libc.RecvFrom(request.ProgramEndCopy, data, (nuint)_datagram.Length, Libc.MSG_DONTWAIT | Libc.MSG_TRUNC | (peek ? Libc.MSG_PEEK : 0), null, null);
        }
        if (received < 0) return false;
        int length = (int)Math.Min(received, _datagram.Length);
        IPEndPoint from = SourceOf(socket, _datagram.AsSpan(0, length), (int)received, consume: !peek);
        if (!StillPending(request.Id)) return true; // The caller went away: the datagram is lost, as it would be to a signal.
        int copied = 0;
        long capacity = 0;
        foreach ((ulong address, long size) in request.Buffers)
        {
            capacity += size;
            int part = (int)Math.Min(size, length - copied);
            if (part <= 0) continue;
            if (!_target.Write(request.Pid, address, _datagram.AsSpan(copied, part)))
            {
                Send(request.Id, Answer.Error(Errno.EFAULT));
                return true;
            }
            copied += part;
        }
        Span<byte> name = stackalloc byte[SocketAddressCodec.Inet6Size];
        int nameSize = SocketAddressCodec.Format(from, socket.Family, name);
        _target.Write(request.Pid, request.NamePointer, name[..Math.Min(nameSize, request.NameCapacity)]);
        _target.WriteInt32(request.Pid, request.NameLengthPointer, nameSize);
        if (request.MessageHeader != 0)
        {
            ulong noControl = 0;
            _target.Write(request.Pid, request.MessageHeader + 40, new ReadOnlySpan<byte>(&noControl, 8));
            _target.WriteInt32(request.Pid, request.MessageHeader + 48, received > capacity ? Libc.MSG_TRUNC : 0);
        }
        Send(request.Id, Answer.Return((request.Flags & Libc.MSG_TRUNC) != 0 ? received : copied));
        return true;
    }

    /// <summary>Who sent the datagram just taken: the oldest remembered sender that matches it (older ones were read without asking).</summary>
    private static IPEndPoint SourceOf(CompatSocket socket, ReadOnlySpan<byte> datagram, int length, bool consume)
    {
        ulong hash = DatagramSource.HashOf(datagram);
        foreach (DatagramSource source in socket.UdpSources)
        {
            if (source.Length != length || source.Hash != hash) continue;
            if (consume)
            {
                while (socket.UdpSources.Dequeue() != source)
                {
                }
            }
            return source.From;
        }
        return socket.UdpPeer ?? new IPEndPoint(IPAddress.Any, 0);
    }

    /// <summary>struct msghdr (x86-64/arm64 layout) and its iovec array.</summary>
    private unsafe bool ReadMessageHeader(int pid, ulong header, out ulong name, out int nameLength, out (ulong Address, long Length)[] buffers)
    {
        name = 0;
        nameLength = 0;
        buffers = [];
        Span<byte> raw = stackalloc byte[MessageHeaderSize];
        if (!_target.Read(pid, header, raw)) return false;
        name = BinaryPrimitives.ReadUInt64LittleEndian(raw);
        nameLength = BinaryPrimitives.ReadInt32LittleEndian(raw[8..]);
        ulong iov = BinaryPrimitives.ReadUInt64LittleEndian(raw[16..]);
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(raw[24..]);
        if (count > MaxIovecs) return false;
        byte[] vectors = new byte[(int)count * 16];
        if (!_target.Read(pid, iov, vectors)) return false;
        buffers = new (ulong, long)[count];
        for (int i = 0; i < (int)count; i++)
        {
            long length = BinaryPrimitives.ReadInt64LittleEndian(vectors.AsSpan((i * 16) + 8));
            if (length < 0) return false;
            buffers[i] = (BinaryPrimitives.ReadUInt64LittleEndian(vectors.AsSpan(i * 16)), length);
        }
        return true;
    }
}

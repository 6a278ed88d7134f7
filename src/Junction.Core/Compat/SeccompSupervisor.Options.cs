using System.Buffers.Binary;
using System.Net.Sockets;
using Junction.Interop;

namespace Junction.Compat;

/// <summary>
/// getsockopt and setsockopt on Junction sockets. What the stack has (TCP_NODELAY, keep-alive) is applied; what
/// governs the descriptor itself (receive/send timeouts and low-water marks) is left to the kernel, which applies it
/// to the program's end; everything else is remembered and read back, so programs that tune sockets see plausible
/// answers. Never trusts a length: the caller's memory is read and written through bounded copies.
/// </summary>
internal sealed partial class SeccompSupervisor
{
    private const int SolSocket = 1;
    private const int IpProtoIp = 0;
    private const int IpProtoTcp = 6;
    private const int IpProtoUdp = 17;
    private const int IpProtoIpv6 = 41;
    private const int SoReuseAddr = 2;
    private const int SoType = 3;
    private const int SoError = 4;
    private const int SoSndBuf = 7;
    private const int SoRcvBuf = 8;
    private const int SoKeepAlive = 9;
    private const int SoLinger = 13;
    private const int SoRcvLowat = 18;
    private const int SoSndLowat = 19;
    private const int SoRcvTimeoOld = 20;
    private const int SoSndTimeoOld = 21;
    private const int SoAcceptConn = 30;
    private const int SoProtocol = 38;
    private const int SoDomain = 39;
    private const int SoRcvTimeoNew = 66;
    private const int SoSndTimeoNew = 67;
    private const int TcpNoDelay = 1;
    private const int TcpMaxSeg = 2;
    private const int TcpKeepIdle = 4;
    private const int TcpKeepIntvl = 5;
    private const int TcpKeepCnt = 6;
    private const int TcpInfo = 11;
    private const int TcpCongestion = 13;
    private const int Ipv6V6Only = 26;
    private const int MaxOptionLength = 1024;
    private const int TcpInfoLength = 232;
    private const byte TcpEstablished = 1;
    private const byte TcpClose = 7;
    private const byte TcpListen = 10;
    private const byte TcpSynSent = 2;

    private static bool IsDescriptorOption(int level, int name) =>
        level == SolSocket && name is SoRcvTimeoOld or SoSndTimeoOld or SoRcvTimeoNew or SoSndTimeoNew or SoRcvLowat or SoSndLowat;

    private Answer OnGetSockOpt(in Notification notification)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        CloseCopy(copy);
        if (socket is null) return Answer.Continue;
        int level = notification.IntArg(1);
        int name = notification.IntArg(2);
        if (IsDescriptorOption(level, name)) return Answer.Continue;
        ulong lengthPointer = notification.Arg(4);
        if (!_target.ReadInt32(notification.Pid, lengthPointer, out int length)) return Answer.Error(Errno.EFAULT);
        if (length < 0) return Answer.Error(Errno.EINVAL);
        Span<byte> value = stackalloc byte[TcpInfoLength];
        value.Clear();
        int size;
        lock (Gate)
        {
            size = ReadOption(socket, level, name, value);
        }
        if (size < 0) return Answer.Error(-size);
        if (!StillPending(notification.Id)) return Answer.Handled;
        int written = Math.Min(length, size);
        if (!_target.Write(notification.Pid, notification.Arg(3), value[..written])) return Answer.Error(Errno.EFAULT);
        _target.WriteInt32(notification.Pid, lengthPointer, written);
        return Answer.Return(0);
    }

    /// <summary>The option's bytes into <paramref name="value"/> (under <see cref="Gate"/>); returns their count or a negative errno.</summary>
    private static int ReadOption(CompatSocket socket, int level, int name, Span<byte> value)
    {
        switch (level, name)
        {
            case (SolSocket, SoType):
                return Int(value, socket.IsUdp ? Libc.SOCK_DGRAM : Libc.SOCK_STREAM);
            case (SolSocket, SoDomain):
                return Int(value, socket.Family);
            case (SolSocket, SoProtocol):
                return Int(value, socket.IsUdp ? IpProtoUdp : IpProtoTcp);
            case (SolSocket, SoError):
                int error = socket.PendingError;
                socket.PendingError = 0;
                return Int(value, error);
            case (SolSocket, SoAcceptConn):
                return Int(value, socket.State == CompatSocketState.Listening ? 1 : 0);
            case (SolSocket, SoSndBuf) when socket.GetOption(level, name) is null:
                return Int(value, 2 * SafeSize(() => socket.Junction.SendBufferSize));
            case (SolSocket, SoRcvBuf) when socket.GetOption(level, name) is null:
                return Int(value, 2 * SafeSize(() => socket.Junction.ReceiveBufferSize));
            case (SolSocket, SoLinger) when socket.GetOption(level, name) is null:
                value[..8].Clear();
                return 8;
            case (IpProtoTcp, TcpMaxSeg):
                return Int(value, 1460);
            case (IpProtoTcp, TcpInfo):
                value[..TcpInfoLength].Clear();
                value[0] = socket.State switch
                {
                    CompatSocketState.Connected => TcpEstablished,
                    CompatSocketState.Listening => TcpListen,
                    CompatSocketState.Connecting => TcpSynSent,
                    _ => TcpClose,
                };
                return TcpInfoLength;
            case (IpProtoTcp, TcpCongestion):
                "cubic"u8.CopyTo(value);
                return 16;
            case (IpProtoIpv6, _) when socket.Family != Libc.AF_INET6:
                return -Errno.ENOPROTOOPT;
            case (IpProtoIpv6, Ipv6V6Only):
                return Int(value, socket.V6Only ? 1 : 0);
            default:
                if (socket.GetOption(level, name) is byte[] stored)
                {
                    int count = Math.Min(stored.Length, value.Length);
                    stored.AsSpan(0, count).CopyTo(value);
                    return count;
                }
                return level is SolSocket or IpProtoTcp or IpProtoIp or IpProtoIpv6 ? Int(value, 0) : -Errno.ENOPROTOOPT;
        }
    }

    private Answer OnSetSockOpt(in Notification notification)
    {
        CompatSocket? socket = Resolve(notification, out int copy);
        CloseCopy(copy);
        if (socket is null) return Answer.Continue;
        int level = notification.IntArg(1);
        int name = notification.IntArg(2);
        if (IsDescriptorOption(level, name)) return Answer.Continue;
        int length = notification.IntArg(4);
        if (length is < 0 or > MaxOptionLength) return Answer.Error(Errno.EINVAL);
        byte[] value = new byte[length];
        if (!_target.Read(notification.Pid, notification.Arg(3), value)) return Answer.Error(Errno.EFAULT);
        if (!StillPending(notification.Id)) return Answer.Handled;
        int number = length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(value) : length > 0 ? value[0] : 0;
        lock (Gate)
        {
            if (level == IpProtoIpv6 && socket.Family != Libc.AF_INET6) return Answer.Error(Errno.ENOPROTOOPT);
            if (level is SolSocket or IpProtoTcp or IpProtoIpv6 && length < 4 && name != SoLinger) return Answer.Error(Errno.EINVAL);
            try
            {
                switch (level, name)
                {
                    case (IpProtoTcp, TcpNoDelay):
                        socket.Junction.NoDelay = number != 0;
                        break;
                    case (SolSocket, SoKeepAlive):
                        socket.Junction.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, number != 0);
                        break;
                    case (IpProtoTcp, TcpKeepIdle) when number > 0:
                        socket.Junction.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, number);
                        break;
                    case (IpProtoTcp, TcpKeepIntvl) when number > 0:
                        socket.Junction.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, number);
                        break;
                    case (IpProtoTcp, TcpKeepCnt) when number > 0:
                        socket.Junction.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, number);
                        break;
                    case (SolSocket, SoLinger):
                        if (length < 8) return Answer.Error(Errno.EINVAL);
                        socket.LingerReset = number != 0 && BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(4)) == 0;
                        break;
                    case (SolSocket, SoSndBuf or SoRcvBuf):
                        // Linux reports twice what was set (room for its bookkeeping).
                        BinaryPrimitives.WriteInt32LittleEndian(value, (int)Math.Clamp(2L * number, 4608, int.MaxValue));
                        break;
                    case (IpProtoIpv6, Ipv6V6Only):
                        if (socket.State != CompatSocketState.Open) return Answer.Error(Errno.EINVAL);
                        socket.V6Only = number != 0;
                        break;
                    case (SolSocket, SoReuseAddr):
                        break;
                    default:
                        break;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or ArgumentException)
            {
                return Answer.Error(SocketErrno.From(e));
            }
            socket.SetOption(level, name, value);
        }
        return Answer.Return(0);
    }

    private static int Int(Span<byte> into, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(into, value);
        return 4;
    }

    private static int SafeSize(Func<int> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return 131072;
        }
    }
}

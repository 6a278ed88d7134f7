using System.Net.Sockets;
using Junction.Interop;

namespace Junction.Compat;

/// <summary>The errno a Linux socket call returns where Junction's sockets throw a <see cref="SocketException"/>.</summary>
internal static class SocketErrno
{
    public static int From(SocketError error) => error switch
    {
        SocketError.AddressAlreadyInUse => Errno.EADDRINUSE,
        SocketError.AddressNotAvailable => Errno.EADDRNOTAVAIL,
        SocketError.ConnectionRefused => Errno.ECONNREFUSED,
        SocketError.ConnectionReset => Errno.ECONNRESET,
        SocketError.ConnectionAborted => Errno.ECONNABORTED,
        SocketError.OperationAborted => Errno.ECONNABORTED,
        SocketError.TimedOut => Errno.ETIMEDOUT,
        SocketError.NetworkUnreachable => Errno.ENETUNREACH,
        SocketError.HostUnreachable => Errno.EHOSTUNREACH,
        SocketError.IsConnected => Errno.EISCONN,
        SocketError.NotConnected => Errno.ENOTCONN,
        SocketError.AddressFamilyNotSupported => Errno.EAFNOSUPPORT,
        SocketError.ProtocolNotSupported => Errno.EPROTONOSUPPORT,
        SocketError.OperationNotSupported => Errno.EOPNOTSUPP,
        SocketError.ProtocolOption => Errno.ENOPROTOOPT,
        SocketError.NoBufferSpaceAvailable => Errno.ENOBUFS,
        SocketError.Shutdown => Errno.EPIPE,
        _ => Errno.EINVAL,
    };

    /// <summary>The errno for an exception a Junction socket call threw (anything but a <see cref="SocketException"/>: EINVAL).</summary>
    public static int From(Exception exception) => exception is SocketException socket ? From(socket.SocketErrorCode) : Errno.EINVAL;
}

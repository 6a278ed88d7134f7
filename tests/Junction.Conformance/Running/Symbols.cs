using System.Net.Sockets;

namespace Junction.Conformance.Running;

/// <summary>Linux values of the constants scripts name (socket types, options, flags, errnos).</summary>
internal static class Symbols
{
    private static readonly Dictionary<string, long> Values = new(StringComparer.Ordinal)
    {
        ["AF_INET"] = 2, ["AF_INET6"] = 10, ["PF_INET"] = 2,
        ["SOCK_STREAM"] = 1, ["SOCK_DGRAM"] = 2, ["SOCK_NONBLOCK"] = 0x800, ["SOCK_CLOEXEC"] = 0x80000,
        ["IPPROTO_IP"] = 0, ["IPPROTO_TCP"] = 6, ["IPPROTO_UDP"] = 17, ["SOL_SOCKET"] = 1, ["SOL_TCP"] = 6, ["SOL_IP"] = 0,
        ["SO_REUSEADDR"] = 2, ["SO_ERROR"] = 4, ["SO_SNDBUF"] = 7, ["SO_RCVBUF"] = 8, ["SO_KEEPALIVE"] = 9,
        ["SO_LINGER"] = 13, ["SO_REUSEPORT"] = 15, ["SO_RCVLOWAT"] = 18, ["SO_SNDLOWAT"] = 19,
        ["TCP_NODELAY"] = 1, ["TCP_MAXSEG"] = 2, ["TCP_CORK"] = 3, ["TCP_KEEPIDLE"] = 4, ["TCP_KEEPINTVL"] = 5,
        ["TCP_KEEPCNT"] = 6, ["TCP_SYNCNT"] = 7, ["TCP_LINGER2"] = 8, ["TCP_DEFER_ACCEPT"] = 9, ["TCP_WINDOW_CLAMP"] = 10,
        ["TCP_INFO"] = 11, ["TCP_QUICKACK"] = 12, ["TCP_CONGESTION"] = 13, ["TCP_USER_TIMEOUT"] = 18,
        ["TCP_FASTOPEN"] = 23, ["TCP_NOTSENT_LOWAT"] = 25,
        ["F_GETFL"] = 3, ["F_SETFL"] = 4, ["O_RDONLY"] = 0, ["O_WRONLY"] = 1, ["O_RDWR"] = 2, ["O_NONBLOCK"] = 0x800,
        ["SHUT_RD"] = 0, ["SHUT_WR"] = 1, ["SHUT_RDWR"] = 2,
        ["POLLIN"] = 0x1, ["POLLPRI"] = 0x2, ["POLLOUT"] = 0x4, ["POLLERR"] = 0x8, ["POLLHUP"] = 0x10, ["POLLNVAL"] = 0x20,
        ["POLLRDNORM"] = 0x40, ["POLLRDBAND"] = 0x80, ["POLLWRNORM"] = 0x100, ["POLLWRBAND"] = 0x200, ["POLLRDHUP"] = 0x2000,
        ["MSG_OOB"] = 1, ["MSG_PEEK"] = 2, ["MSG_DONTWAIT"] = 0x40, ["MSG_WAITALL"] = 0x100, ["MSG_MORE"] = 0x8000,
        ["MSG_NOSIGNAL"] = 0x4000,
        ["FIONREAD"] = 0x541B, ["SIOCINQ"] = 0x541B, ["SIOCOUTQ"] = 0x5411,
        ["EPERM"] = 1, ["ENOENT"] = 2, ["EINTR"] = 4, ["EIO"] = 5, ["EBADF"] = 9, ["EAGAIN"] = 11, ["EWOULDBLOCK"] = 11,
        ["ENOMEM"] = 12, ["EFAULT"] = 14, ["EINVAL"] = 22, ["EPIPE"] = 32, ["ENOPROTOOPT"] = 92, ["EPROTONOSUPPORT"] = 93,
        ["EOPNOTSUPP"] = 95, ["EADDRINUSE"] = 98, ["EADDRNOTAVAIL"] = 99, ["ENETUNREACH"] = 101, ["ECONNABORTED"] = 103,
        ["ECONNRESET"] = 104, ["ENOBUFS"] = 105, ["EISCONN"] = 106, ["ENOTCONN"] = 107, ["ETIMEDOUT"] = 110,
        ["ECONNREFUSED"] = 111, ["EHOSTUNREACH"] = 113, ["EALREADY"] = 114, ["EINPROGRESS"] = 115,
    };

    public static bool TryGet(string name, out long value) => Values.TryGetValue(name, out value);

    /// <summary>The errno a <see cref="SocketError"/> stands for on Linux.</summary>
    public static string Errno(SocketError error) => error switch
    {
        SocketError.ConnectionReset => "ECONNRESET",
        SocketError.ConnectionRefused => "ECONNREFUSED",
        SocketError.TimedOut => "ETIMEDOUT",
        SocketError.Shutdown => "EPIPE",
        SocketError.NotConnected => "ENOTCONN",
        SocketError.WouldBlock => "EAGAIN",
        SocketError.AddressAlreadyInUse => "EADDRINUSE",
        SocketError.AddressNotAvailable => "EADDRNOTAVAIL",
        SocketError.ConnectionAborted => "ECONNABORTED",
        SocketError.IsConnected => "EISCONN",
        SocketError.AlreadyInProgress => "EALREADY",
        SocketError.InvalidArgument => "EINVAL",
        SocketError.NoBufferSpaceAvailable => "ENOBUFS",
        SocketError.HostUnreachable => "EHOSTUNREACH",
        SocketError.NetworkUnreachable => "ENETUNREACH",
        _ => "E" + error.ToString().ToUpperInvariant(),
    };

    public static long ErrnoValue(string errno) => TryGet(errno, out long v) ? v : -1;
}

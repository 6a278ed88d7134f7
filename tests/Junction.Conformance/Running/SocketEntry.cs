using System.Net.Sockets;
using Junction.Stack.Tcp;

namespace Junction.Conformance.Running;

/// <summary>One file descriptor: a TCP socket before and after listen/connect/accept.</summary>
internal sealed class SocketEntry
{
    public bool NonBlocking { get; set; }

    public ushort BoundPort { get; set; }

    public TcpListenEndpoint? Listener { get; set; }

    public TcpConnection? Connection { get; set; }

    /// <summary>A non-blocking connect is under way (SS_CONNECTING): the next connect reports how it went.</summary>
    public bool Connecting { get; set; }

    /// <summary>connect() reported success (SS_CONNECTED).</summary>
    public bool Connected { get; set; }

    public bool ReadShutdown { get; set; }

    public bool WriteShutdown { get; set; }

    /// <summary>SO_LINGER with a zero timeout: close() resets.</summary>
    public bool LingerZero { get; set; }

    /// <summary>An error SO_ERROR has not reported yet (a failed non-blocking connect).</summary>
    public SocketError? PendingError { get; set; }

    /// <summary>Options set before the socket had a connection, applied when it gets one (accepted ones inherit the listener's).</summary>
    public Dictionary<string, long> Options { get; } = new(StringComparer.Ordinal);

    public void ApplyOptions(TcpConnection connection)
    {
        foreach ((string name, long value) in Options) Apply(connection, name, value);
    }

    public static void Apply(TcpConnection connection, string name, long value)
    {
        switch (name)
        {
            case "TCP_NODELAY": connection.NoDelay = value != 0; break;
            case "SO_KEEPALIVE": connection.KeepAlive = value != 0; break;
            case "TCP_KEEPIDLE": connection.KeepAliveTime = TimeSpan.FromSeconds(value); break;
            case "TCP_KEEPINTVL": connection.KeepAliveInterval = TimeSpan.FromSeconds(value); break;
            case "TCP_KEEPCNT": connection.KeepAliveProbes = (int)value; break;
            case "SO_RCVBUF": connection.ReceiveBufferSize = (int)value; break;
            case "SO_SNDBUF": connection.SendBufferSize = (int)value; break;
            default: break;
        }
    }
}

using System.Diagnostics.CodeAnalysis;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// A listening TCP port: half-open connections wait in its SYN queue, established ones in its accept queue
/// (the backlog) until the application takes them with <see cref="TryAccept"/>.
/// </summary>
public sealed class TcpListenEndpoint : IDisposable
{
    private readonly TcpLayer _layer;
    private readonly Queue<TcpConnection> _acceptQueue;

    internal TcpListenEndpoint(TcpLayer layer, Ipv4Address localAddress, ushort localPort, int backlog)
    {
        _layer = layer;
        LocalAddress = localAddress;
        LocalPort = localPort;
        Backlog = backlog;
        _acceptQueue = new Queue<TcpConnection>(Math.Min(backlog, 64));
    }

    /// <summary>The address listened on; <see cref="Ipv4Address.Any"/> for all addresses.</summary>
    public Ipv4Address LocalAddress { get; }

    /// <summary>The port listened on.</summary>
    public ushort LocalPort { get; }

    /// <summary>
    /// The listen backlog. As on Linux (sk_acceptq_is_full compares with &gt;), the accept queue is full only when it holds
    /// more than this many connections, so <c>listen(fd, 1)</c> keeps two waiting for <see cref="TryAccept"/>.
    /// </summary>
    public int Backlog { get; }

    /// <summary>Established connections waiting to be accepted.</summary>
    public int PendingCount => _acceptQueue.Count;

    /// <summary>Whether the listener was disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Receives this listener's events.</summary>
    public ITcpListenerObserver? Observer { get; set; }

    /// <summary>Half-open connections (SYN received, SYN-ACK sent) belonging to this listener.</summary>
    internal int SynQueueCount { get; set; }

    internal bool IsAcceptQueueFull => _acceptQueue.Count > Backlog;

    /// <summary>Takes the oldest established connection from the accept queue.</summary>
    public bool TryAccept([NotNullWhen(true)] out TcpConnection? connection)
    {
        if (!_acceptQueue.TryDequeue(out connection)) return false;
        // A queued connection may have been reset meanwhile; Linux still hands it out, and so do we:
        // the application sees the error on its first call.
        connection.Listener = null;
        return true;
    }

    internal void Enqueue(TcpConnection connection)
    {
        _acceptQueue.Enqueue(connection);
        Observer?.OnAcceptable(this);
    }

    /// <summary>Stops listening; connections not yet accepted are reset.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        while (_acceptQueue.TryDequeue(out TcpConnection? connection))
        {
            connection.Listener = null;
            connection.Abort();
        }
        _layer.RemoveListener(this);
    }
}

namespace Junction.Stack.Tcp;

/// <summary>
/// Receives a connection's events. Called on the thread that drives the stack, after a segment or timer was
/// processed; implementations may call the connection's methods.
/// </summary>
public interface ITcpConnectionObserver
{
    /// <summary>The handshake completed (active opens; accepted connections are already connected).</summary>
    void OnConnected(TcpConnection connection);

    /// <summary>Data became readable, or the peer's FIN arrived (see <see cref="TcpConnection.IsReceiveComplete"/>).</summary>
    void OnReadable(TcpConnection connection);

    /// <summary>Acknowledged data freed space in the send buffer.</summary>
    void OnWritable(TcpConnection connection);

    /// <summary>The connection reached <see cref="TcpState.Closed"/> (see <see cref="TcpConnection.Error"/> for why).</summary>
    void OnClosed(TcpConnection connection);
}

using System.Security.Cryptography;
using System.Text;
using Junction.Stack.Tcp;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// Serves one connection on a Junction listener in one of two half-close orders and records what it saw:
/// <see cref="Order.PeerFinishesFirst"/> reads until the peer's FIN, then replies (in CLOSE_WAIT) and closes;
/// <see cref="Order.JunctionFinishesFirst"/> sends a greeting and its FIN at once, then keeps reading until the
/// peer's FIN (in FIN_WAIT_2) and closes. The reply or the greeting is "&lt;byte count&gt; &lt;sha256 hex&gt;" of what was
/// received so far.
/// </summary>
internal sealed class HalfCloseServer : ITcpListenerObserver, ITcpConnectionObserver
{
    private readonly Order _order;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private TcpConnection? _connection;
    private byte[]? _outgoing;
    private int _sent;

    public HalfCloseServer(TcpListenEndpoint listener, Order order, string greeting = "")
    {
        _order = order;
        Greeting = greeting;
        listener.Observer = this;
    }

    public enum Order
    {
        PeerFinishesFirst,
        JunctionFinishesFirst,
    }

    public string Greeting { get; }

    public long Received { get; private set; }

    /// <summary>The peer's bytes as "&lt;count&gt; &lt;sha256 hex&gt;", once its FIN arrived.</summary>
    public string? ReceivedSummary { get; private set; }

    /// <summary>The state the connection was in when the peer's end of stream was read.</summary>
    public TcpState? StateAtEndOfStream { get; private set; }

    /// <summary>The state the connection was in when this side queued its FIN.</summary>
    public TcpState? StateBeforeShutdown { get; private set; }

    /// <summary>The state right after <see cref="TcpConnection.Close"/>.</summary>
    public TcpState? StateAfterClose { get; private set; }

    public TcpState? State => _connection?.State;

    public void OnAcceptable(TcpListenEndpoint listener)
    {
        if (_connection is not null || !listener.TryAccept(out TcpConnection? connection)) return;
        _connection = connection;
        connection.Observer = this;
        if (_order == Order.JunctionFinishesFirst) _outgoing = Encoding.ASCII.GetBytes(Greeting);
        Step();
    }

    public void OnConnected(TcpConnection connection) => Step();

    public void OnReadable(TcpConnection connection) => Step();

    public void OnWritable(TcpConnection connection) => Step();

    public void OnClosed(TcpConnection connection)
    {
    }

    private void Step()
    {
        TcpConnection connection = _connection!;
        if (connection.State == TcpState.Closed) return;
        int read;
        while ((read = connection.Receive(_buffer)) > 0)
        {
            _hash.AppendData(_buffer, 0, read);
            Received += read;
        }
        if (ReceivedSummary is null && connection.IsReceiveComplete)
        {
            StateAtEndOfStream = connection.State;
            ReceivedSummary = $"{Received} {Convert.ToHexStringLower(_hash.GetHashAndReset())}";
            if (_order == Order.PeerFinishesFirst) _outgoing = Encoding.ASCII.GetBytes(ReceivedSummary);
        }
        if (_outgoing is not null && StateBeforeShutdown is null)
        {
            _sent += connection.Send(_outgoing.AsSpan(_sent));
            if (_sent < _outgoing.Length) return;
            StateBeforeShutdown = connection.State;
            connection.ShutdownSend();
        }
        if (ReceivedSummary is not null && StateBeforeShutdown is not null && StateAfterClose is null)
        {
            connection.Close();
            StateAfterClose = connection.State;
        }
    }
}

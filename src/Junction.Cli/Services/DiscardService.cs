using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Cli.Services;

/// <summary>A Junction TCP discard server (RFC 863): reads and drops everything, counting the bytes.</summary>
internal sealed class DiscardService : ITcpListenerObserver, ITcpConnectionObserver
{
    private readonly byte[] _sink = new byte[256 * 1024];
    private long _received;

    public DiscardService(NetStack stack, ushort port)
    {
        TcpListenEndpoint listener = stack.TcpListen(port);
        listener.Observer = this;
    }

    /// <summary>Bytes received so far, on all connections; readable from any thread.</summary>
    public long Received => Volatile.Read(ref _received);

    public void OnAcceptable(TcpListenEndpoint listener)
    {
        while (listener.TryAccept(out TcpConnection? connection))
        {
            connection.Observer = this;
            OnReadable(connection);
        }
    }

    public void OnConnected(TcpConnection connection)
    {
    }

    public void OnReadable(TcpConnection connection)
    {
        int n;
        long received = _received;
        while ((n = connection.Receive(_sink)) > 0) received += n;
        Volatile.Write(ref _received, received);
        if (connection.IsReceiveComplete) connection.Close();
    }

    public void OnWritable(TcpConnection connection)
    {
    }

    public void OnClosed(TcpConnection connection) => connection.Close();
}

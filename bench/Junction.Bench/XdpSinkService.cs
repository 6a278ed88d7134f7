using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Bench;

/// <summary>A Junction TCP server that reads and discards everything, feeding the current <see cref="Probe"/>.</summary>
internal sealed class XdpSinkService : ITcpListenerObserver, ITcpConnectionObserver
{
    private readonly byte[] _sink = new byte[256 * 1024];

    public XdpSinkService(NetStack stack, ushort port)
    {
        TcpListenEndpoint listener = stack.TcpListen(port);
        listener.Observer = this;
    }

    /// <summary>Where received bytes are counted; set before the sender connects.</summary>
    public XdpThroughputProbe? Probe { get; set; }

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
        while ((n = connection.Receive(_sink)) > 0) Probe?.Add(n);
        if (connection.IsReceiveComplete) connection.Close();
    }

    public void OnWritable(TcpConnection connection)
    {
    }

    public void OnClosed(TcpConnection connection) => connection.Close();
}

using Junction.Stack.Tcp;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// An echo server on a Junction listener, run on the stack thread: every connection gets back what it sends, and is
/// closed (FIN after the echo) once the peer's FIN has arrived and everything was echoed.
/// </summary>
internal sealed class EchoServer : ITcpListenerObserver
{
    public EchoServer(TcpListenEndpoint listener)
    {
        listener.Observer = this;
        OnAcceptable(listener);
    }

    public int Accepted { get; private set; }

    /// <summary>Connections whose peer finished sending and that were closed after their echo.</summary>
    public int Finished { get; private set; }

    public long BytesEchoed { get; private set; }

    public void OnAcceptable(TcpListenEndpoint listener)
    {
        while (listener.TryAccept(out TcpConnection? connection))
        {
            Accepted++;
            var echo = new Echo(this, connection);
            connection.Observer = echo;
            echo.Step();
        }
    }

    private sealed class Echo(EchoServer server, TcpConnection connection) : ITcpConnectionObserver
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private bool _finished;

        public void OnConnected(TcpConnection c) => Step();

        public void OnReadable(TcpConnection c) => Step();

        public void OnWritable(TcpConnection c) => Step();

        public void OnClosed(TcpConnection c)
        {
        }

        public void Step()
        {
            if (_finished || connection.State == TcpState.Closed) return;
            while (true)
            {
                int n = Math.Min(Math.Min(connection.ReceiveAvailable, connection.SendFree), _buffer.Length);
                if (n == 0) break;
                int read = connection.Receive(_buffer.AsSpan(0, n));
                connection.Send(_buffer.AsSpan(0, read));
                server.BytesEchoed += read;
            }
            if (connection.IsReceiveComplete)
            {
                _finished = true;
                server.Finished++;
                connection.Close();
            }
        }
    }
}

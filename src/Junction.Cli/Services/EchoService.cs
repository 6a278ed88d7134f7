using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Cli.Services;

/// <summary>A Junction TCP echo server: every connection sends back what it reads, in the same poll (NoDelay).</summary>
internal sealed class EchoService : ITcpListenerObserver
{
    public EchoService(NetStack stack, ushort port)
    {
        TcpListenEndpoint listener = stack.TcpListen(port);
        listener.Observer = this;
    }

    public void OnAcceptable(TcpListenEndpoint listener)
    {
        while (listener.TryAccept(out TcpConnection? connection))
        {
            connection.NoDelay = true;
            var session = new Session();
            connection.Observer = session;
            session.OnReadable(connection);
        }
    }

    private sealed class Session : ITcpConnectionObserver
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _pendingStart;
        private int _pendingEnd;

        public void OnConnected(TcpConnection connection)
        {
        }

        public void OnReadable(TcpConnection connection)
        {
            while (true)
            {
                if (_pendingStart == _pendingEnd)
                {
                    _pendingStart = 0;
                    _pendingEnd = 0;
                }
                if (_pendingEnd == _buffer.Length) break;
                int n = connection.Receive(_buffer.AsSpan(_pendingEnd));
                if (n == 0) break;
                _pendingEnd += n;
                OnWritable(connection);
            }
            if (connection.IsReceiveComplete && _pendingStart == _pendingEnd) connection.Close();
        }

        public void OnWritable(TcpConnection connection)
        {
            if (connection.State is not (TcpState.Established or TcpState.CloseWait)) return;
            while (_pendingStart < _pendingEnd)
            {
                int n = connection.Send(_buffer.AsSpan(_pendingStart, _pendingEnd - _pendingStart));
                if (n == 0) return;
                _pendingStart += n;
            }
        }

        public void OnClosed(TcpConnection connection) => connection.Close();
    }
}

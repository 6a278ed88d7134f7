using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Cli.Services;

/// <summary>
/// A minimal HTTP/1.1 server on the stack's callbacks: every request (headers ending in an empty line; request bodies
/// are not expected and not read) gets <see cref="HttpPlaintext.Response"/>, keep-alive, pipelining allowed. It serves
/// <c>junction serve http</c> on the command's poll thread; benchmarks and the demo serve the Kestrel app instead.
/// </summary>
internal sealed class HttpService : ITcpListenerObserver
{
    private long _requests;

    public HttpService(NetStack stack, ushort port)
    {
        TcpListenEndpoint listener = stack.TcpListen(port, backlog: 1024);
        listener.Observer = this;
    }

    /// <summary>Requests answered so far; readable from any thread.</summary>
    public long Requests => Volatile.Read(ref _requests);

    public void OnAcceptable(TcpListenEndpoint listener)
    {
        while (listener.TryAccept(out TcpConnection? connection))
        {
            connection.NoDelay = true;
            var session = new Session(this);
            connection.Observer = session;
            session.OnReadable(connection);
        }
    }

    private sealed class Session(HttpService owner) : ITcpConnectionObserver
    {
        private const int MaxHeader = 8192;
        private readonly byte[] _buffer = new byte[MaxHeader];
        private int _length;
        // The last bytes of the previous read, so an end of headers split across reads is found.
        private int _matched;
        // Responses owed but not yet fully handed to the send buffer, and how much of the current one went out.
        private int _owed;
        private int _sentOfCurrent;

        public void OnConnected(TcpConnection connection)
        {
        }

        public void OnReadable(TcpConnection connection)
        {
            while (true)
            {
                int n = connection.Receive(_buffer.AsSpan(_length, _buffer.Length - _length));
                if (n == 0) break;
                Scan(n);
            }
            OnWritable(connection);
            if (connection.IsReceiveComplete && _owed == 0) connection.Close();
        }

        public void OnWritable(TcpConnection connection)
        {
            if (connection.State is not (TcpState.Established or TcpState.CloseWait)) return;
            byte[] response = HttpPlaintext.Response;
            while (_owed > 0)
            {
                int n = connection.Send(response.AsSpan(_sentOfCurrent));
                if (n == 0) return;
                _sentOfCurrent += n;
                if (_sentOfCurrent < response.Length) return;
                _sentOfCurrent = 0;
                _owed--;
                Interlocked.Increment(ref owner._requests);
            }
        }

        public void OnClosed(TcpConnection connection) => connection.Close();

        // Counts "\r\n\r\n" sequences in the new bytes; a request's headers end at each one.
        private void Scan(int count)
        {
            ReadOnlySpan<byte> terminator = "\r\n\r\n"u8;
            for (int i = _length; i < _length + count; i++)
            {
                byte b = _buffer[i];
                if (b == terminator[_matched]) _matched++;
                else _matched = b == terminator[0] ? 1 : 0;
                if (_matched == terminator.Length)
                {
                    _owed++;
                    _matched = 0;
                }
            }
            // The bytes themselves are not needed after scanning: reuse the buffer from the start.
            _length = 0;
        }
    }
}

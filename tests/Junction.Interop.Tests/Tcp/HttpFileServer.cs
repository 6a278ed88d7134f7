using System.Globalization;
using System.Text;
using Junction.Stack.Tcp;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// A minimal HTTP/1.1 server on a Junction listener, run on the stack thread: GET of <see cref="Path"/> answers 200
/// with <see cref="Length"/> bytes of a <see cref="PatternStream"/> and a Content-Length, anything else 404. Each
/// response ends the connection (Connection: close); the server closes once the client has closed its side.
/// </summary>
internal sealed class HttpFileServer : ITcpListenerObserver
{
    private readonly PatternStream _content;
    private readonly List<Exchange> _exchanges = [];

    public HttpFileServer(TcpListenEndpoint listener, string path, long length, PatternStream content)
    {
        Path = path;
        Length = length;
        _content = content;
        listener.Observer = this;
        OnAcceptable(listener);
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>Requests whose response body was queued completely.</summary>
    public int Completed { get; private set; }

    /// <summary>The request lines received, in order.</summary>
    public List<string> Requests { get; } = [];

    public void OnAcceptable(TcpListenEndpoint listener)
    {
        while (listener.TryAccept(out TcpConnection? connection))
        {
            var exchange = new Exchange(this, connection);
            _exchanges.Add(exchange);
            connection.Observer = exchange;
            exchange.Step();
        }
    }

    private sealed class Exchange(HttpFileServer server, TcpConnection connection) : ITcpConnectionObserver
    {
        private readonly byte[] _request = new byte[8192];
        private readonly byte[] _chunk = new byte[64 * 1024];
        private int _requestLength;
        private byte[]? _header;
        private int _headerSent;
        private long _bodyLength;
        private long _bodySent;
        private bool _finished;

        public void OnConnected(TcpConnection c) => Step();

        public void OnReadable(TcpConnection c) => Step();

        public void OnWritable(TcpConnection c) => Step();

        public void OnClosed(TcpConnection c)
        {
        }

        public void Step()
        {
            if (connection.State == TcpState.Closed) return;
            if (_header is null) ReadRequest();
            else Discard();
            if (_header is not null && !_finished) WriteResponse();
            if (_finished && connection.IsReceiveComplete) connection.Close();
        }

        private void ReadRequest()
        {
            while (_requestLength < _request.Length)
            {
                int read = connection.Receive(_request.AsSpan(_requestLength));
                if (read == 0) break;
                _requestLength += read;
            }
            int end = _request.AsSpan(0, _requestLength).IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                if (connection.IsReceiveComplete || _requestLength == _request.Length) connection.Abort();
                return;
            }
            string head = Encoding.ASCII.GetString(_request, 0, end);
            string requestLine = head.Split("\r\n")[0];
            server.Requests.Add(requestLine);
            string[] parts = requestLine.Split(' ');
            bool found = parts.Length == 3 && parts[0] == "GET" && parts[1] == server.Path && parts[2] == "HTTP/1.1";
            _bodyLength = found ? server.Length : 0;
            _header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Type: application/octet-stream\r\nContent-Length: {_bodyLength}\r\nConnection: close\r\n\r\n"));
            Discard();
        }

        /// <summary>Reads and ignores what follows the request (a pipelined one): this server answers one request per connection.</summary>
        private void Discard()
        {
            while (connection.Receive(_request) > 0)
            {
            }
        }

        private void WriteResponse()
        {
            while (_headerSent < _header!.Length)
            {
                int taken = connection.Send(_header.AsSpan(_headerSent));
                if (taken == 0) return;
                _headerSent += taken;
            }
            while (_bodySent < _bodyLength)
            {
                int n = (int)Math.Min(Math.Min(_chunk.Length, connection.SendFree), _bodyLength - _bodySent);
                if (n == 0) return;
                server._content.Fill(_bodySent, _chunk.AsSpan(0, n));
                _bodySent += connection.Send(_chunk.AsSpan(0, n));
            }
            _finished = true;
            server.Completed++;
            connection.ShutdownSend();
        }
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Junction.Stack.Tcp;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// An HTTP/1.1 GET over a Junction connection, run on the stack thread: sends the request once connected, parses
/// the status line and Content-Length, and hashes the body as it arrives (it is never held whole). Done once
/// Content-Length bytes arrived, the connection then closes.
/// </summary>
internal sealed class HttpGetClient : ITcpConnectionObserver
{
    private readonly TcpConnection _connection;
    private readonly byte[] _request;
    private readonly byte[] _head = new byte[16 * 1024];
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _requestSent;
    private int _headLength;
    private bool _headParsed;

    public HttpGetClient(TcpConnection connection, string host, string path)
    {
        _connection = connection;
        _request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: junction-interop\r\nAccept: */*\r\n\r\n");
        connection.Observer = this;
    }

    public string? StatusLine { get; private set; }

    public long ContentLength { get; private set; } = -1;

    public long BodyReceived { get; private set; }

    /// <summary>The body's SHA-256 (hex) once all of it arrived.</summary>
    public string? BodySha256 { get; private set; }

    /// <summary>Set when the exchange ended before the whole body arrived: what went wrong.</summary>
    public string? Failure { get; private set; }

    public bool IsDone => BodySha256 is not null || Failure is not null;

    public TcpState State => _connection.State;

    public void OnConnected(TcpConnection connection) => Step();

    public void OnReadable(TcpConnection connection) => Step();

    public void OnWritable(TcpConnection connection) => Step();

    public void OnClosed(TcpConnection connection)
    {
        if (!IsDone) Failure = $"closed ({connection.Error}) after {BodyReceived} body bytes";
    }

    private void Step()
    {
        if (IsDone || _connection.State is TcpState.SynSent or TcpState.Closed) return;
        while (_requestSent < _request.Length)
        {
            int taken = _connection.Send(_request.AsSpan(_requestSent));
            if (taken == 0) break;
            _requestSent += taken;
        }
        if (!_headParsed) ReadHead();
        if (_headParsed)
        {
            int read;
            while (BodyReceived < ContentLength && (read = _connection.Receive(_buffer.AsSpan(0, (int)Math.Min(_buffer.Length, ContentLength - BodyReceived)))) > 0)
            {
                _hash.AppendData(_buffer, 0, read);
                BodyReceived += read;
            }
            if (BodyReceived == ContentLength)
            {
                BodySha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
                _connection.Close();
                return;
            }
        }
        if (_connection.IsReceiveComplete) Failure = $"end of stream after {BodyReceived} body bytes";
    }

    private void ReadHead()
    {
        while (_headLength < _head.Length)
        {
            int read = _connection.Receive(_head.AsSpan(_headLength));
            if (read == 0) break;
            _headLength += read;
        }
        int end = _head.AsSpan(0, _headLength).IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (_headLength == _head.Length) Failure = "response head too long";
            return;
        }
        string[] lines = Encoding.ASCII.GetString(_head, 0, end).Split("\r\n");
        StatusLine = lines[0];
        foreach (string line in lines)
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                ContentLength = long.Parse(line.AsSpan("Content-Length:".Length).Trim(), CultureInfo.InvariantCulture);
        }
        _headParsed = true;
        if (ContentLength < 0)
        {
            Failure = "no Content-Length in " + StatusLine;
            return;
        }
        // Body bytes that came with the head.
        int bodyStart = end + 4;
        int extra = (int)Math.Min(_headLength - bodyStart, ContentLength);
        _hash.AppendData(_head, bodyStart, extra);
        BodyReceived = extra;
    }
}

using System.Security.Cryptography;
using Junction.Stack.Tcp;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// A Junction TCP client, run on the stack thread: once connected it sends <c>uploadLength</c> bytes of a
/// <see cref="PatternStream"/> and then its FIN, while reading whatever the server sends until the server's FIN. It
/// keeps the SHA-256 of what it received and its first bytes, and closes at the end.
/// </summary>
internal sealed class StreamClient : ITcpConnectionObserver
{
    private const int KeptBytes = 4096;

    private readonly TcpConnection _connection;
    private readonly PatternStream _upload;
    private readonly long _uploadLength;
    private readonly byte[] _chunk = new byte[64 * 1024];
    private readonly byte[] _kept = new byte[KeptBytes];
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _shutdown;

    public StreamClient(TcpConnection connection, PatternStream upload, long uploadLength)
    {
        _connection = connection;
        _upload = upload;
        _uploadLength = uploadLength;
        connection.Observer = this;
    }

    public long Sent { get; private set; }

    public long Received { get; private set; }

    /// <summary>The first bytes received (up to 4 KiB).</summary>
    public byte[] ReceivedStart => _kept[..(int)Math.Min(Received, KeptBytes)];

    /// <summary>SHA-256 (hex) of everything received, once the server's FIN arrived.</summary>
    public string? ReceivedSha256 { get; private set; }

    /// <summary>Set when the connection failed: its error.</summary>
    public string? Failure { get; private set; }

    public bool IsDone => ReceivedSha256 is not null || Failure is not null;

    public TcpState State => _connection.State;

    public void OnConnected(TcpConnection connection) => Step();

    public void OnReadable(TcpConnection connection) => Step();

    public void OnWritable(TcpConnection connection) => Step();

    public void OnClosed(TcpConnection connection)
    {
        if (!IsDone) Failure = $"closed ({connection.Error}) after sending {Sent} and receiving {Received} bytes";
    }

    private void Step()
    {
        if (IsDone || _connection.State is TcpState.SynSent or TcpState.Closed) return;
        while (Sent < _uploadLength)
        {
            int n = (int)Math.Min(Math.Min(_chunk.Length, _connection.SendFree), _uploadLength - Sent);
            if (n == 0) break;
            _upload.Fill(Sent, _chunk.AsSpan(0, n));
            Sent += _connection.Send(_chunk.AsSpan(0, n));
        }
        if (Sent == _uploadLength && !_shutdown)
        {
            _shutdown = true;
            _connection.ShutdownSend();
        }
        int read;
        while ((read = _connection.Receive(_chunk)) > 0)
        {
            if (Received < KeptBytes) _chunk.AsSpan(0, (int)Math.Min(read, KeptBytes - Received)).CopyTo(_kept.AsSpan((int)Received));
            _hash.AppendData(_chunk, 0, read);
            Received += read;
        }
        if (_connection.IsReceiveComplete)
        {
            ReceivedSha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
            _connection.Close();
        }
    }
}

using System.Security.Cryptography;
using Junction.Stack.Tcp;

namespace Junction.Tests.EndToEnd;

/// <summary>
/// Streams a seeded pseudo-random byte sequence through a connection and hashes what arrives on the other side,
/// without holding the whole transfer in memory.
/// </summary>
internal sealed class TcpTransfer(TcpConnection sender, TcpConnection receiver, long length, int seed)
{
    private readonly byte[] _chunk = new byte[64 * 1024];
    private readonly byte[] _sink = new byte[64 * 1024];
    private readonly IncrementalHash _sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Random _random = new(seed);
    private int _chunkFill;
    private int _chunkSent;

    public long Sent { get; private set; }
    public long Received { get; private set; }
    public bool Finished { get; private set; }
    public byte[]? SentDigest { get; private set; }
    public byte[]? ReceivedDigest { get; private set; }

    public void Step()
    {
        while (Sent < length)
        {
            if (_chunkSent == _chunkFill)
            {
                _chunkFill = (int)Math.Min(_chunk.Length, length - Sent);
                _random.NextBytes(_chunk.AsSpan(0, _chunkFill));
                _sentHash.AppendData(_chunk, 0, _chunkFill);
                _chunkSent = 0;
            }
            int n = sender.Send(_chunk.AsSpan(_chunkSent, _chunkFill - _chunkSent));
            if (n == 0) break;
            _chunkSent += n;
            Sent += n;
            if (Sent == length)
            {
                SentDigest = _sentHash.GetHashAndReset();
                sender.ShutdownSend();
            }
        }
        int read;
        while ((read = receiver.Receive(_sink)) > 0)
        {
            _receivedHash.AppendData(_sink, 0, read);
            Received += read;
        }
        if (!Finished && receiver.IsReceiveComplete)
        {
            ReceivedDigest = _receivedHash.GetHashAndReset();
            Finished = true;
        }
    }
}

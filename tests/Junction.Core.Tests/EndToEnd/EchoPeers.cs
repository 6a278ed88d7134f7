using Junction.Stack.Tcp;

namespace Junction.Tests.EndToEnd;

/// <summary>Server side of an echo: sends back what it reads, closes after the peer's FIN once everything is sent.</summary>
internal sealed class EchoServerConnection(TcpConnection connection)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private bool _closed;

    public void Step()
    {
        if (_closed) return;
        while (true)
        {
            int n = Math.Min(Math.Min(connection.ReceiveAvailable, connection.SendFree), _buffer.Length);
            if (n == 0) break;
            int read = connection.Receive(_buffer.AsSpan(0, n));
            connection.Send(_buffer.AsSpan(0, read));
        }
        if (connection.IsReceiveComplete)
        {
            connection.Close();
            _closed = true;
        }
    }
}

/// <summary>Client side of an echo: writes seeded bytes, half-closes, and checks the echo byte for byte.</summary>
internal sealed class EchoClient(TcpConnection connection, int length, int seed)
{
    private readonly byte[] _data = Data(length, seed);
    private readonly byte[] _echo = new byte[length];
    private int _sent;
    private int _received;

    public bool Finished { get; private set; }
    public bool Intact { get; private set; }

    public void Step()
    {
        if (Finished || connection.State is TcpState.SynSent) return;
        if (_sent < length)
        {
            _sent += connection.Send(_data.AsSpan(_sent));
            if (_sent == length) connection.ShutdownSend();
        }
        int read;
        while (_received < length && (read = connection.Receive(_echo.AsSpan(_received))) > 0) _received += read;
        if (connection.IsReceiveComplete || connection.State == TcpState.Closed)
        {
            Intact = _received == length && _echo.AsSpan().SequenceEqual(_data);
            connection.Close();
            Finished = true;
        }
    }

    private static byte[] Data(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}

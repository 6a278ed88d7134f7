using System.Text;
using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Interop.Tests.Density;

/// <summary>
/// One instance's TCP service, run on the stack thread: every connection reads a request of
/// <see cref="RequestLength"/> bytes, answers with the instance's <see cref="Marker"/> followed by the request, and
/// closes once the client has closed. It keeps what each connection received so the test can check it afterwards.
/// </summary>
internal sealed class MarkedEchoServer : ITcpListenerObserver
{
    private readonly List<Session> _sessions = [];

    public MarkedEchoServer(NetStack stack, ushort port, int requestLength)
    {
        Stack = stack;
        RequestLength = requestLength;
        Marker = MarkerFor(stack.Address.ToString());
        Listener = stack.TcpListen(port);
        Listener.Observer = this;
    }

    public NetStack Stack { get; }

    public TcpListenEndpoint Listener { get; }

    public int RequestLength { get; }

    /// <summary>What this instance puts in front of every answer.</summary>
    public byte[] Marker { get; }

    /// <summary>The connections accepted so far (read on the stack thread).</summary>
    public IReadOnlyList<Session> Sessions => _sessions;

    /// <summary>Whether every accepted connection has answered and reached Closed.</summary>
    public bool AllClosed
    {
        get
        {
            foreach (Session session in _sessions)
            {
                if (session.Connection.State != TcpState.Closed) return false;
            }
            return true;
        }
    }

    public static byte[] MarkerFor(string address) => Encoding.ASCII.GetBytes($"[echo from {address}]");

    public void OnAcceptable(TcpListenEndpoint listener)
    {
        while (listener.TryAccept(out TcpConnection? connection))
        {
            var session = new Session(this, connection);
            _sessions.Add(session);
            connection.Observer = session;
            session.OnReadable(connection);
        }
    }

    /// <summary>One accepted connection: what it received, and the answer still to send.</summary>
    internal sealed class Session(MarkedEchoServer server, TcpConnection connection) : ITcpConnectionObserver
    {
        private readonly byte[] _request = new byte[server.RequestLength];
        private byte[]? _answer;
        private int _answerSent;

        public TcpConnection Connection => connection;

        /// <summary>The bytes received, including any beyond the request (there should be none).</summary>
        public int Received { get; private set; }

        /// <summary>Bytes that arrived after the full request (a protocol error by the client or a mix-up).</summary>
        public int Excess { get; private set; }

        public byte[] Request => _request;

        public bool Answered => _answer is not null && _answerSent == _answer.Length;

        public void OnConnected(TcpConnection connection)
        {
        }

        public void OnReadable(TcpConnection connection)
        {
            Span<byte> scratch = stackalloc byte[512];
            int n;
            while (Received < _request.Length && (n = connection.Receive(_request.AsSpan(Received))) > 0) Received += n;
            while ((n = connection.Receive(scratch)) > 0) Excess += n;
            if (Received == _request.Length && _answer is null)
            {
                _answer = [.. server.Marker, .. _request];
                OnWritable(connection);
            }
            if (connection.IsReceiveComplete && Answered) connection.Close();
        }

        public void OnWritable(TcpConnection connection)
        {
            if (_answer is null || connection.State is not (TcpState.Established or TcpState.CloseWait)) return;
            while (_answerSent < _answer.Length)
            {
                int n = connection.Send(_answer.AsSpan(_answerSent));
                if (n == 0) break;
                _answerSent += n;
            }
            if (connection.IsReceiveComplete && Answered) connection.Close();
        }

        public void OnClosed(TcpConnection connection)
        {
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Junction.Tests.Sockets.Contract;

/// <summary>The reference: System.Net.Sockets over the kernel's loopback.</summary>
public sealed class SystemSocketWorld : ISocketWorld
{
    public IPAddress ServerAddress => IPAddress.Loopback;

    public IContractSocket ServerSocket(ProtocolType protocol) => Create(protocol);

    public IContractSocket ClientSocket(ProtocolType protocol) => Create(protocol);

    public void Dispose()
    {
    }

    private static SystemSocket Create(ProtocolType protocol) =>
        new(new Socket(AddressFamily.InterNetwork, protocol == ProtocolType.Tcp ? SocketType.Stream : SocketType.Dgram, protocol));

    private sealed class SystemSocket(Socket socket) : IContractSocket
    {
        public EndPoint? LocalEndPoint => socket.LocalEndPoint;

        public EndPoint? RemoteEndPoint => socket.RemoteEndPoint;

        public bool Connected => socket.Connected;

        public int Available => socket.Available;

        public bool NoDelay
        {
            get => socket.NoDelay;
            set => socket.NoDelay = value;
        }

        public int ReceiveTimeout
        {
            get => socket.ReceiveTimeout;
            set => socket.ReceiveTimeout = value;
        }

        public LingerOption LingerState
        {
            get => socket.LingerState!;
            set => socket.LingerState = value;
        }

        public void Bind(EndPoint endPoint) => socket.Bind(endPoint);

        public void Listen(int backlog) => socket.Listen(backlog);

        public async Task<IContractSocket> AcceptAsync(CancellationToken cancellationToken = default) =>
            new SystemSocket(await socket.AcceptAsync(cancellationToken));

        public Task ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default) => socket.ConnectAsync(endPoint, cancellationToken).AsTask();

        public ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => socket.SendAsync(buffer, SocketFlags.None, cancellationToken);

        public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

        public Task<int> SendSegmentAsync(ArraySegment<byte> buffer) => socket.SendAsync(buffer, SocketFlags.None);

        public Task<int> ReceiveSegmentAsync(ArraySegment<byte> buffer) => socket.ReceiveAsync(buffer, SocketFlags.None);

        public int Send(byte[] buffer) => socket.Send(buffer);

        public int Receive(byte[] buffer) => socket.Receive(buffer);

        public int SendTo(byte[] buffer, EndPoint endPoint) => socket.SendTo(buffer, endPoint);

        public ValueTask<SocketReceiveFromResult> ReceiveFromAsync(Memory<byte> buffer, EndPoint any, CancellationToken cancellationToken = default) =>
            socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);

        public void Shutdown(SocketShutdown how) => socket.Shutdown(how);

        public void Dispose() => socket.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using Junction.Sockets;

namespace Junction.Tests.Sockets.Contract;

/// <summary>JunctionSocket on two instances of a real-time virtual switch (server and client stacks).</summary>
public sealed class JunctionSocketWorld : ISocketWorld
{
    private readonly SocketLab _lab = new();

    public IPAddress ServerAddress => _lab.ServerAddress;

    public IContractSocket ServerSocket(ProtocolType protocol) => Create(_lab.Server, protocol);

    public IContractSocket ClientSocket(ProtocolType protocol) => Create(_lab.Client, protocol);

    public void Dispose() => _lab.Dispose();

    private static JunctionContractSocket Create(Junction.Runtime.RuntimeInstance instance, ProtocolType protocol) =>
        new(new JunctionSocket(instance, protocol == ProtocolType.Tcp ? SocketType.Stream : SocketType.Dgram, protocol));

    private sealed class JunctionContractSocket(JunctionSocket socket) : IContractSocket
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
            get => socket.LingerState;
            set => socket.LingerState = value;
        }

        public void Bind(EndPoint endPoint) => socket.Bind(endPoint);

        public void Listen(int backlog) => socket.Listen(backlog);

        public async Task<IContractSocket> AcceptAsync(CancellationToken cancellationToken = default) =>
            new JunctionContractSocket(await socket.AcceptAsync(cancellationToken));

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

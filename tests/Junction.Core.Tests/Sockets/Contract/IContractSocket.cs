using System.Net;
using System.Net.Sockets;

namespace Junction.Tests.Sockets.Contract;

/// <summary>The socket surface the contract exercises, implemented by System.Net.Sockets.Socket and JunctionSocket pass-throughs.</summary>
public interface IContractSocket : IDisposable
{
    EndPoint? LocalEndPoint { get; }

    EndPoint? RemoteEndPoint { get; }

    bool Connected { get; }

    int Available { get; }

    bool NoDelay { get; set; }

    int ReceiveTimeout { get; set; }

    LingerOption LingerState { get; set; }

    void Bind(EndPoint endPoint);

    void Listen(int backlog);

    Task<IContractSocket> AcceptAsync(CancellationToken cancellationToken = default);

    Task ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default);

    ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    Task<int> SendSegmentAsync(ArraySegment<byte> buffer);

    Task<int> ReceiveSegmentAsync(ArraySegment<byte> buffer);

    int Send(byte[] buffer);

    int Receive(byte[] buffer);

    int SendTo(byte[] buffer, EndPoint endPoint);

    ValueTask<SocketReceiveFromResult> ReceiveFromAsync(Memory<byte> buffer, EndPoint any, CancellationToken cancellationToken = default);

    void Shutdown(SocketShutdown how);
}

/// <summary>Where the contract runs: a server and a client side, and how to make sockets on each.</summary>
public interface ISocketWorld : IDisposable
{
    IPAddress ServerAddress { get; }

    IContractSocket ServerSocket(ProtocolType protocol);

    IContractSocket ClientSocket(ProtocolType protocol);
}

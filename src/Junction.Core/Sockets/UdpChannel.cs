using System.Net;
using System.Net.Sockets;
using Junction.Runtime;
using Junction.Stack.Udp;
using Junction.Wire;

namespace Junction.Sockets;

/// <summary>
/// The UDP side of a <see cref="JunctionSocket"/>: a bound <see cref="UdpSocket"/> and at most one pending receive.
/// The queue is only touched holding the stack, so a receive either finds a datagram at once or registers its buffer,
/// which the stack's readable event then fills on the kthread (one copy, out of the frame).
/// </summary>
internal sealed class UdpChannel : IDisposable
{
    private readonly RuntimeInstance _instance;
    private readonly UdpSocket _socket;
    private TaskCompletionSource<SocketReceiveFromResult>? _pending;
    private Memory<byte> _pendingBuffer;
    private CancellationTokenRegistration _registration;
    private bool _disposed;

    public UdpChannel(RuntimeInstance instance, ushort port)
    {
        _instance = instance;
        using (instance.EnterStack())
        {
            _socket = instance.Stack.UdpBind(port);
            _socket.Observer = new Observer(this);
        }
        LocalEndPoint = new IPEndPoint(instance.Stack.Address.ToIPAddress(), _socket.LocalPort);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams waiting to be read.</summary>
    public int Queued
    {
        get
        {
            using (_instance.EnterStack()) return _disposed ? 0 : _socket.QueuedDatagrams;
        }
    }

    /// <summary>Sends one datagram; MessageSize when it does not fit a packet.</summary>
    public int SendTo(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        Ipv4Address address = Endpoints.ToIpv4(remote.Address);
        using (_instance.EnterStack())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // No frame free: the datagram is dropped, as a full socket buffer drops on a real stack.
            _socket.SendTo(datagram, address, (ushort)remote.Port);
        }
        Endpoints.Kick(_instance);
        return datagram.Length;
    }

    /// <summary>
    /// The next datagram into <paramref name="buffer"/>. A longer datagram is truncated silently (the rest is lost),
    /// as Socket.ReceiveFromAsync does on Linux.
    /// </summary>
    public Task<SocketReceiveFromResult> ReceiveFromAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using (_instance.EnterStack())
        {
            if (_disposed) return Task.FromException<SocketReceiveFromResult>(SocketErrors.Aborted());
            if (_pending is not null) throw new InvalidOperationException("A receive is already pending.");
            if (TryReceive(buffer.Span, out SocketReceiveFromResult result, out SocketException? error))
                return error is null ? Task.FromResult(result) : Task.FromException<SocketReceiveFromResult>(error);
            if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<SocketReceiveFromResult>(cancellationToken);
            _pending = new TaskCompletionSource<SocketReceiveFromResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pendingBuffer = buffer;
            Task<SocketReceiveFromResult> task = _pending.Task;
            if (cancellationToken.CanBeCanceled) _registration = cancellationToken.UnsafeRegister(static state => ((UdpChannel)state!).Cancel(), this);
            return task;
        }
    }

    public void Dispose()
    {
        TaskCompletionSource<SocketReceiveFromResult>? pending;
        using (_instance.EnterStack())
        {
            if (_disposed) return;
            _disposed = true;
            _socket.Dispose();
            pending = _pending;
            _pending = null;
        }
        _registration.Unregister();
        pending?.TrySetException(SocketErrors.Aborted());
    }

    private bool TryReceive(Span<byte> buffer, out SocketReceiveFromResult result, out SocketException? error)
    {
        error = null;
        if (!_socket.TryReceiveFrom(buffer, out int copied, out _, out Ipv4Address source, out ushort sourcePort))
        {
            result = default;
            return false;
        }
        result = new SocketReceiveFromResult { ReceivedBytes = copied, RemoteEndPoint = new IPEndPoint(source.ToIPAddress(), sourcePort) };
        return true;
    }

    private void Cancel()
    {
        TaskCompletionSource<SocketReceiveFromResult>? pending;
        using (_instance.EnterStack())
        {
            pending = _pending;
            _pending = null;
        }
        pending?.TrySetCanceled();
    }

    private void OnReadable()
    {
        TaskCompletionSource<SocketReceiveFromResult>? pending = _pending;
        if (pending is null) return;
        if (!TryReceive(_pendingBuffer.Span, out SocketReceiveFromResult result, out SocketException? error)) return;
        _pending = null;
        _pendingBuffer = default;
        _registration.Unregister();
        if (error is null) pending.TrySetResult(result);
        else pending.TrySetException(error);
    }

    private sealed class Observer(UdpChannel owner) : IUdpObserver
    {
        public void OnReadable(UdpSocket socket) => owner.OnReadable();
    }
}

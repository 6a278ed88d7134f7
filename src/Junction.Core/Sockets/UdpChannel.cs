using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Junction.Runtime;
using Junction.Stack.Udp;
using Junction.Wire;

namespace Junction.Sockets;

/// <summary>
/// The UDP side of a <see cref="JunctionSocket"/>: a bound <see cref="UdpSocket"/> and at most one pending receive.
/// The queue is only touched holding the stack, so a receive either finds a datagram at once or registers its buffer,
/// which the stack's readable event then fills on the kthread (one copy, out of the frame). The pending receive is
/// one reusable operation and the sender's address is written into a caller's <see cref="SocketAddress"/>, so a
/// datagram round trip allocates nothing.
/// </summary>
internal sealed class UdpChannel : IValueTaskSource<int>, IDisposable
{
    private static readonly Action<object?> s_cancel = static state => ((UdpChannel)state!).Cancel();

    private readonly RuntimeInstance _instance;
    private readonly UdpSocket _socket;
    private UthreadValueTaskSourceCore<int> _waiter;
    private bool _pending;
    private Memory<byte> _pendingBuffer;
    private SocketAddress? _pendingSource;
    private CancellationTokenRegistration _registration;
    private CancellationToken _pendingToken;
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

    /// <summary>Sends one datagram to <paramref name="remote"/> (IPv4; other families fail as a socket would).</summary>
    public int SendTo(ReadOnlySpan<byte> datagram, IPEndPoint remote) => SendTo(datagram, Endpoints.ToIpv4(remote.Address), (ushort)remote.Port);

    /// <summary>Sends one datagram; MessageSize when it does not fit a packet.</summary>
    public int SendTo(ReadOnlySpan<byte> datagram, Ipv4Address address, ushort port)
    {
        using (_instance.EnterStack())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // No frame free: the datagram is dropped, as a full socket buffer drops on a real stack.
            _socket.SendTo(datagram, address, port);
        }
        Endpoints.Kick(_instance);
        return datagram.Length;
    }

    /// <summary>
    /// The next datagram into <paramref name="buffer"/>; its sender goes into <paramref name="source"/> (an IPv4
    /// <see cref="SocketAddress"/>) when given. A longer datagram is truncated silently (the rest is lost), as
    /// Socket.ReceiveFromAsync does on Linux.
    /// </summary>
    public ValueTask<int> ReceiveFromAsync(Memory<byte> buffer, SocketAddress? source, CancellationToken cancellationToken)
    {
        using (_instance.EnterStack())
        {
            if (_disposed) return ValueTask.FromException<int>(SocketErrors.Aborted());
            if (_pending) throw new InvalidOperationException("A receive is already pending.");
            if (TryReceive(buffer.Span, source, out int received)) return new ValueTask<int>(received);
            if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
            _waiter.Reset();
            _pending = true;
            _pendingBuffer = buffer;
            _pendingSource = source;
            _pendingToken = cancellationToken;
            if (cancellationToken.CanBeCanceled) _registration = cancellationToken.UnsafeRegister(s_cancel, this);
            return new ValueTask<int>(this, _waiter.Version);
        }
    }

    /// <summary>The IPv4 socket address of <paramref name="address"/>:<paramref name="port"/>, written into <paramref name="destination"/>.</summary>
    public static void WriteSocketAddress(SocketAddress destination, Ipv4Address address, ushort port)
    {
        if (destination.Family != AddressFamily.InterNetwork || destination.Buffer.Length < 8)
            throw new ArgumentException("Junction datagrams come from IPv4 senders: pass a SocketAddress of AddressFamily.InterNetwork.", nameof(destination));
        // sockaddr_in: the family (set by the constructor), then the port and the address in network order.
        Span<byte> bytes = destination.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], port);
        address.Write(bytes[4..8]);
        destination.Size = SocketAddress.GetMaximumAddressSize(AddressFamily.InterNetwork);
    }

    /// <summary>The IPv4 address and port of <paramref name="address"/>; other families fail as a socket would.</summary>
    public static (Ipv4Address Address, ushort Port) ReadSocketAddress(SocketAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Family != AddressFamily.InterNetwork) throw new SocketException((int)SocketError.AddressFamilyNotSupported);
        ReadOnlySpan<byte> bytes = address.Buffer.Span;
        return (Ipv4Address.Read(bytes.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
    }

    public void Dispose()
    {
        using (_instance.EnterStack())
        {
            if (_disposed) return;
            _disposed = true;
            _socket.Dispose();
            if (_pending) FailPendingLocked(SocketErrors.Aborted());
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    private bool TryReceive(Span<byte> buffer, SocketAddress? source, out int received)
    {
        if (!_socket.TryReceiveFrom(buffer, out received, out _, out Ipv4Address sender, out ushort senderPort)) return false;
        if (source is not null) WriteSocketAddress(source, sender, senderPort);
        return true;
    }

    private void Cancel()
    {
        using (_instance.EnterStack())
        {
            if (_pending) FailPendingLocked(new OperationCanceledException(_pendingToken));
        }
    }

    /// <summary>Ends the pending receive with <paramref name="error"/>; the caller holds the stack.</summary>
    private void FailPendingLocked(Exception error)
    {
        _pending = false;
        _pendingBuffer = default;
        _pendingSource = null;
        _registration.Unregister();
        _waiter.SetException(error);
    }

    private void OnReadable()
    {
        if (!_pending) return;
        if (!TryReceive(_pendingBuffer.Span, _pendingSource, out int received)) return;
        _pending = false;
        _pendingBuffer = default;
        _pendingSource = null;
        _registration.Unregister();
        _waiter.SetResult(received);
    }

    private sealed class Observer(UdpChannel owner) : IUdpObserver
    {
        public void OnReadable(UdpSocket socket) => owner.OnReadable();
    }
}

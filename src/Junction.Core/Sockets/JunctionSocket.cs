using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Junction.Runtime;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Sockets;

/// <summary>
/// The common surface of <see cref="Socket"/> for TCP and UDP over a Junction instance: code written against
/// <see cref="Socket"/> switches by changing the type. Failures are the same <see cref="SocketException"/> codes in
/// the same situations (ConnectionRefused, ConnectionReset, TimedOut, AddressAlreadyInUse, NotConnected, Shutdown,
/// OperationAborted for operations cut short by <see cref="Dispose"/>; datagrams longer than the buffer are truncated
/// silently, as on Linux).
/// </summary>
/// <remarks>A TCP socket is a <see cref="JunctionConnection"/> underneath (see <see cref="Connection"/>): sends copy into
/// device frames, receives copy out of the received frames; with reused buffers neither allocates.</remarks>
public sealed class JunctionSocket : IDisposable
{
    private readonly RuntimeInstance _instance;
    private ushort _boundPort;
    private bool _ownsReservation;
    private JunctionListener? _listener;
    private JunctionConnection? _connection;
    private TcpReceiveOperation? _receiveOperation;
    private UdpChannel? _udp;
    private IPEndPoint? _udpRemote;
    private SocketAddress? _receivedFrom;
    private bool _sendShutdown;
    private bool _receiveShutdown;
    private bool? _noDelay;
    private int? _sendBufferSize;
    private int? _receiveBufferSize;
    private bool _keepAlive;
    private int? _keepAliveTime;
    private int? _keepAliveInterval;
    private int? _keepAliveCount;
    private int _disposed;

    /// <summary>Creates a TCP (Stream/Tcp) or UDP (Dgram/Udp) socket on <paramref name="instance"/>.</summary>
    public JunctionSocket(RuntimeInstance instance, SocketType socketType, ProtocolType protocolType)
    {
        ArgumentNullException.ThrowIfNull(instance);
        bool tcp = socketType == SocketType.Stream && protocolType is ProtocolType.Tcp or ProtocolType.Unspecified;
        bool udp = socketType == SocketType.Dgram && protocolType is ProtocolType.Udp or ProtocolType.Unspecified;
        if (!tcp && !udp) throw new SocketException((int)SocketError.ProtocolNotSupported);
        _instance = instance;
        SocketType = socketType;
        ProtocolType = tcp ? ProtocolType.Tcp : ProtocolType.Udp;
    }

    private JunctionSocket(RuntimeInstance instance, JunctionConnection connection)
        : this(instance, SocketType.Stream, ProtocolType.Tcp)
    {
        _connection = connection;
    }

    /// <summary>A connected TCP socket over <paramref name="connection"/> (which it then owns).</summary>
    public static JunctionSocket FromConnection(JunctionConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new JunctionSocket(connection.Instance, connection);
    }

    /// <summary>Stream (TCP) or Dgram (UDP).</summary>
    public SocketType SocketType { get; }

    /// <summary>Tcp or Udp.</summary>
    public ProtocolType ProtocolType { get; }

    /// <summary>Always InterNetwork: the stack speaks IPv4.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Mirrors Socket.AddressFamily, an instance property.")]
    public AddressFamily AddressFamily => AddressFamily.InterNetwork;

    /// <summary>The instance the socket lives on.</summary>
    public RuntimeInstance Instance => _instance;

    /// <summary>The connection under a connected TCP socket (its pipes are the zero-copy path), else null.</summary>
    public JunctionConnection? Connection => _connection;

    /// <summary>The local address and port, once bound, listening or connected.</summary>
    public EndPoint? LocalEndPoint => _connection?.LocalEndPoint ?? _listener?.LocalEndPoint ?? _udp?.LocalEndPoint
        ?? (_boundPort != 0 ? new IPEndPoint(_instance.Stack.Address.ToIPAddress(), _boundPort) : null);

    /// <summary>The peer, once connected.</summary>
    public EndPoint? RemoteEndPoint => _connection?.RemoteEndPoint ?? _udpRemote;

    /// <summary>Whether the last operation found the socket connected (TCP: until reset or closed).</summary>
    public bool Connected => _connection is not null && _disposed == 0 && _connection.Tcp.Error == SocketError.Success
        || _udpRemote is not null && _disposed == 0;

    /// <summary>Whether the socket is listening.</summary>
    public bool IsListening => _listener is not null;

    /// <summary>Bytes (TCP) or datagrams' worth (UDP: the number of queued datagrams is not a byte count; 0 or 1 as a hint) that a receive would return without waiting.</summary>
    public int Available
    {
        get
        {
            ThrowIfDisposed();
            if (_udp is not null) return _udp.Queued > 0 ? 1 : 0;
            if (_connection is null) return 0;
            using (_instance.EnterStack()) return _connection.Tcp.ReceiveAvailable;
        }
    }

    /// <summary>Whether Nagle's algorithm is off (TCP_NODELAY).</summary>
    public bool NoDelay
    {
        get => _connection is null ? _noDelay ?? false : OnStack(static c => c.NoDelay);
        set
        {
            ThrowIfDisposed();
            _noDelay = value;
            if (_connection is not null) OnStack(c => c.NoDelay = value);
        }
    }

    /// <summary>The send buffer (bytes unacknowledged plus unsent); taken at connect time as the writer's capacity, capped by it afterwards.</summary>
    public int SendBufferSize
    {
        get => _connection is null ? _sendBufferSize ?? new TcpSettings().SendBufferSize : OnStack(static c => c.SendBufferSize);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ThrowIfDisposed();
            _sendBufferSize = value;
            if (_connection is not null) OnStack(c => c.SendBufferSize = Math.Min(value, _connection.Writer.Capacity));
        }
    }

    /// <summary>The receive buffer: the bound of the advertised window.</summary>
    public int ReceiveBufferSize
    {
        get => _connection is null ? _receiveBufferSize ?? new TcpSettings().ReceiveBufferSize : OnStack(static c => c.ReceiveBufferSize);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ThrowIfDisposed();
            _receiveBufferSize = value;
            if (_connection is not null) OnStack(c => c.ReceiveBufferSize = value);
        }
    }

    /// <summary>What <see cref="Close()"/> does with a connection: enabled with 0 seconds resets it (RST) instead of a FIN.</summary>
    public LingerOption LingerState { get; set; } = new(false, 0);

    /// <summary>Milliseconds a synchronous receive waits before failing with TimedOut (0 or -1: forever).</summary>
    public int ReceiveTimeout { get; set; }

    /// <summary>Milliseconds a synchronous send waits for room before failing with TimedOut (0 or -1: forever).</summary>
    public int SendTimeout { get; set; }

    /// <summary>Whether the socket was disposed.</summary>
    public bool IsDisposed => _disposed != 0;

    /// <summary>Binds to <paramref name="localEndPoint"/>: Any or the instance's address, port 0 for an ephemeral one.</summary>
    public void Bind(EndPoint localEndPoint)
    {
        ThrowIfDisposed();
        IPEndPoint ip = Endpoints.ToIPEndPoint(localEndPoint);
        var address = Endpoints.ToIpv4(ip.Address);
        if (!address.IsAny && address != _instance.Stack.Address) throw new SocketException((int)SocketError.AddressNotAvailable);
        if (_boundPort != 0 || _udp is not null || _connection is not null) throw new SocketException((int)SocketError.InvalidArgument);
        if (ProtocolType == ProtocolType.Udp)
        {
            _udp = new UdpChannel(_instance, (ushort)ip.Port);
            return;
        }
        _boundPort = PortReservations.For(_instance.Stack).Reserve((ushort)ip.Port);
        _ownsReservation = true;
    }

    /// <summary>Starts listening (binding an ephemeral port first if unbound).</summary>
    public void Listen(int backlog = 512)
    {
        ThrowIfDisposed();
        if (ProtocolType != ProtocolType.Tcp) throw new SocketException((int)SocketError.OperationNotSupported);
        if (_connection is not null) throw new SocketException((int)SocketError.IsConnected);
        if (_listener is not null) return;
        if (_boundPort == 0) Bind(new IPEndPoint(IPAddress.Any, 0));
        _listener = JunctionListener.Listen(_instance, _boundPort, backlog, ConnectionOptions(), ownsReservation: false);
    }

    /// <summary>The next connection of a listening socket, as a connected socket.</summary>
    public async ValueTask<JunctionSocket> AcceptAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_listener is null) throw new InvalidOperationException("The socket is not listening: call Bind and Listen first.");
        JunctionConnection connection = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        return new JunctionSocket(_instance, connection) { _noDelay = _noDelay };
    }

    /// <summary>Synchronous <see cref="AcceptAsync"/>.</summary>
    public JunctionSocket Accept() => Wait(AcceptAsync().AsTask(), Timeout.Infinite);

    /// <summary>
    /// Connects (TCP: the handshake; fails with ConnectionRefused or TimedOut) or sets the default peer (UDP).
    /// </summary>
    public async ValueTask ConnectAsync(EndPoint remoteEP, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        IPEndPoint remote = Endpoints.ToIPEndPoint(remoteEP);
        if (ProtocolType == ProtocolType.Udp)
        {
            _ = Udp; // connect binds an ephemeral port, as on a kernel socket
            _udpRemote = remote;
            return;
        }
        if (_connection is not null) throw new SocketException((int)SocketError.IsConnected);
        if (_listener is not null) throw new SocketException((int)SocketError.InvalidArgument);
        _connection = await JunctionConnection.ConnectAsync(_instance, remote, _boundPort, ConnectionOptions(), cancellationToken).ConfigureAwait(false);
        ApplyKeepAlive();
    }

    /// <summary>Synchronous <see cref="ConnectAsync(EndPoint, CancellationToken)"/>.</summary>
    public void Connect(EndPoint remoteEP) => Wait(ConnectAsync(remoteEP).AsTask(), Timeout.Infinite);

    /// <summary>Sends every byte of <paramref name="buffer"/> (TCP; waits for room in the send buffer) or one datagram to the connected peer (UDP).</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer, SocketFlags socketFlags = SocketFlags.None, CancellationToken cancellationToken = default)
    {
        try
        {
            ThrowIfDisposed();
            if (_udp is not null || ProtocolType == ProtocolType.Udp)
            {
                if (_udpRemote is null) throw new SocketException((int)SocketError.NotConnected);
                return new ValueTask<int>(_udp!.SendTo(buffer.Span, _udpRemote));
            }
            JunctionConnection connection = _connection ?? throw new SocketException((int)SocketError.NotConnected);
            if (_sendShutdown) throw new SocketException((int)SocketError.Shutdown);
            JunctionPipeWriter writer = connection.Writer;
            // The common case, with no state machine: the bytes fit in the ring and the flush does not wait.
            if (buffer.Length > writer.ContiguousFree()) return SendSlowAsync(connection, buffer, cancellationToken);
            if (!buffer.IsEmpty)
            {
                buffer.Span.CopyTo(writer.GetSpan(buffer.Length));
                writer.Advance(buffer.Length);
            }
            ValueTask<System.IO.Pipelines.FlushResult> flush = writer.FlushAsync(cancellationToken);
            if (!flush.IsCompletedSuccessfully) return FinishSendAsync(connection, flush, buffer.Length);
            if (flush.Result.IsCompleted && buffer.Length > 0) throw SendError(connection);
            return new ValueTask<int>(buffer.Length);
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<int>(exception);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FinishSendAsync(JunctionConnection connection, ValueTask<System.IO.Pipelines.FlushResult> flush, int sent)
    {
        System.IO.Pipelines.FlushResult flushed = await flush.ConfigureAwait(false);
        if (flushed.IsCompleted && sent > 0) throw SendError(connection);
        return sent;
    }

    /// <summary>The send that waits for room in the ring (back-pressure) part way.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> SendSlowAsync(JunctionConnection connection, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        JunctionPipeWriter writer = connection.Writer;
        int sent = 0;
        while (sent < buffer.Length)
        {
            int room = writer.ContiguousFree();
            if (room == 0)
            {
                System.IO.Pipelines.FlushResult waited = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (waited.IsCompleted) throw SendError(connection);
                continue;
            }
            int n = Math.Min(room, buffer.Length - sent);
            buffer.Span.Slice(sent, n).CopyTo(writer.GetSpan(n));
            writer.Advance(n);
            sent += n;
        }
        System.IO.Pipelines.FlushResult flushed = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flushed.IsCompleted && sent > 0) throw SendError(connection);
        return sent;
    }

    /// <summary>Array-segment form of <see cref="SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/>.</summary>
    public Task<int> SendAsync(ArraySegment<byte> buffer, SocketFlags socketFlags = SocketFlags.None) => SendAsync(buffer.AsMemory(), socketFlags).AsTask();

    /// <summary>Synchronous send; fails with TimedOut after <see cref="SendTimeout"/>.</summary>
    public int Send(ReadOnlySpan<byte> buffer, SocketFlags socketFlags = SocketFlags.None)
    {
        byte[] copy = buffer.ToArray();
        return Send(copy, 0, copy.Length, socketFlags);
    }

    /// <summary>Synchronous send of <paramref name="buffer"/>.</summary>
    public int Send(byte[] buffer) => Send(buffer, 0, buffer.Length, SocketFlags.None);

    /// <summary>Synchronous send of part of <paramref name="buffer"/>.</summary>
    public int Send(byte[] buffer, int offset, int size, SocketFlags socketFlags)
    {
        using CancellationTokenSource? timeout = TimeoutSource(SendTimeout);
        return Wait(SendAsync(buffer.AsMemory(offset, size), socketFlags, timeout?.Token ?? default).AsTask(), Timeout.Infinite);
    }

    /// <summary>
    /// Receives at most <paramref name="buffer"/>.Length bytes (TCP: 0 at the end of the stream; an empty buffer waits
    /// until data is available and returns 0) or one datagram (UDP, from anyone).
    /// </summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, SocketFlags socketFlags = SocketFlags.None, CancellationToken cancellationToken = default)
    {
        try
        {
            ThrowIfDisposed();
            if (_udp is not null || ProtocolType == ProtocolType.Udp)
            {
                if (_udp is null) throw new SocketException((int)SocketError.InvalidArgument);
                return _udp.ReceiveFromAsync(buffer, null, cancellationToken);
            }
            JunctionConnection connection = _connection ?? throw new SocketException((int)SocketError.NotConnected);
            JunctionPipeReader reader = connection.Reader;
            if (_receiveShutdown) return new ValueTask<int>(ReceiveAfterShutdown(reader, buffer));
            ValueTask<System.IO.Pipelines.ReadResult> read = reader.ReadAsync(cancellationToken);
            if (read.IsCompleted) return new ValueTask<int>(CompleteReceive(read.GetAwaiter().GetResult(), buffer));
            // Waits: a reusable operation (one receive at a time, as the reader allows) resumes the caller.
            TcpReceiveOperation operation = _receiveOperation ??= new TcpReceiveOperation(this);
            if (operation.TryTake()) return operation.Start(reader, reader.PendingToken, buffer);
            return FinishReceiveAsync(read, buffer);
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<int>(MapReceiveError(exception));
        }
    }

    /// <summary>
    /// After Shutdown(Receive) the bytes already queued are still handed out, as Linux's tcp_recvmsg does; an empty
    /// queue reads as the end of the stream at once instead of waiting.
    /// </summary>
    private int ReceiveAfterShutdown(JunctionPipeReader reader, Memory<byte> buffer) =>
        reader.TryRead(out System.IO.Pipelines.ReadResult queued) ? CompleteReceive(queued, buffer) : 0;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FinishReceiveAsync(ValueTask<System.IO.Pipelines.ReadResult> read, Memory<byte> buffer)
    {
        try
        {
            return CompleteReceive(await read.ConfigureAwait(false), buffer);
        }
        catch (Exception exception)
        {
            throw MapReceiveError(exception);
        }
    }

    /// <summary>Copies what a completed read returned into <paramref name="buffer"/> and consumes it.</summary>
    internal int CompleteReceive(in System.IO.Pipelines.ReadResult read, Memory<byte> buffer)
    {
        System.IO.Pipelines.PipeReader reader = _connection!.Input;
        System.Buffers.ReadOnlySequence<byte> data = read.Buffer;
        if (buffer.IsEmpty)
        {
            reader.AdvanceTo(data.Start);
            return 0;
        }
        int n = (int)Math.Min(buffer.Length, data.Length);
        System.Buffers.ReadOnlySequence<byte> taken = data.Slice(0, n);
        System.Buffers.BuffersExtensions.CopyTo(taken, buffer.Span);
        reader.AdvanceTo(taken.End);
        return n;
    }

    /// <summary>A read of a socket disposed meanwhile fails as Socket's does: OperationAborted.</summary>
    internal Exception MapReceiveError(Exception exception) =>
        exception is InvalidOperationException and not ObjectDisposedException && _disposed != 0 ? SocketErrors.Aborted() : exception;

    /// <summary>Array-segment form of <see cref="ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/>.</summary>
    public Task<int> ReceiveAsync(ArraySegment<byte> buffer, SocketFlags socketFlags = SocketFlags.None) => ReceiveAsync(buffer.AsMemory(), socketFlags).AsTask();

    /// <summary>Synchronous receive; fails with TimedOut after <see cref="ReceiveTimeout"/>.</summary>
    public int Receive(Span<byte> buffer, SocketFlags socketFlags = SocketFlags.None)
    {
        byte[] scratch = new byte[buffer.Length];
        int n = Receive(scratch, 0, scratch.Length, socketFlags);
        scratch.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    /// <summary>Synchronous receive into <paramref name="buffer"/>.</summary>
    public int Receive(byte[] buffer) => Receive(buffer, 0, buffer.Length, SocketFlags.None);

    /// <summary>Synchronous receive into part of <paramref name="buffer"/>.</summary>
    public int Receive(byte[] buffer, int offset, int size, SocketFlags socketFlags)
    {
        using CancellationTokenSource? timeout = TimeoutSource(ReceiveTimeout);
        return Wait(ReceiveAsync(buffer.AsMemory(offset, size), socketFlags, timeout?.Token ?? default).AsTask(), Timeout.Infinite);
    }

    /// <summary>Sends one datagram to <paramref name="remoteEP"/> (binding an ephemeral port first if unbound).</summary>
    public ValueTask<int> SendToAsync(ReadOnlyMemory<byte> buffer, SocketFlags socketFlags, EndPoint remoteEP, CancellationToken cancellationToken = default) =>
        new(SendTo(buffer.Span, remoteEP));

    /// <summary>Sends one datagram to <paramref name="socketAddress"/> (an IPv4 address), allocating nothing.</summary>
    public ValueTask<int> SendToAsync(ReadOnlyMemory<byte> buffer, SocketFlags socketFlags, SocketAddress socketAddress, CancellationToken cancellationToken = default)
    {
        try
        {
            return new ValueTask<int>(SendTo(buffer.Span, socketFlags, socketAddress));
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<int>(exception);
        }
    }

    /// <summary>Synchronous <see cref="SendToAsync(ReadOnlyMemory{byte}, SocketFlags, SocketAddress, CancellationToken)"/>.</summary>
    public int SendTo(ReadOnlySpan<byte> buffer, SocketFlags socketFlags, SocketAddress socketAddress)
    {
        ThrowIfCannotSendTo();
        (Ipv4Address address, ushort port) = UdpChannel.ReadSocketAddress(socketAddress);
        return Udp.SendTo(buffer, address, port);
    }

    /// <summary>Synchronous <see cref="SendToAsync(ReadOnlyMemory{byte}, SocketFlags, EndPoint, CancellationToken)"/>.</summary>
    public int SendTo(ReadOnlySpan<byte> buffer, EndPoint remoteEP)
    {
        ThrowIfCannotSendTo();
        IPEndPoint remote = Endpoints.ToIPEndPoint(remoteEP);
        return Udp.SendTo(buffer, remote);
    }

    /// <summary>SendTo needs an open UDP socket: a TCP socket is connected-only.</summary>
    private void ThrowIfCannotSendTo()
    {
        ThrowIfDisposed();
        if (ProtocolType != ProtocolType.Udp) throw new SocketException((int)SocketError.IsConnected);
    }

    /// <summary>The UDP channel, bound to an ephemeral port on first use (a send or connect before any bind).</summary>
    private UdpChannel Udp => _udp ??= new UdpChannel(_instance, 0);

    /// <summary>The next datagram and who sent it; a datagram longer than the buffer is truncated (the rest is lost).</summary>
    public async ValueTask<SocketReceiveFromResult> ReceiveFromAsync(Memory<byte> buffer, SocketFlags socketFlags, EndPoint remoteEndPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        SocketAddress source = _receivedFrom ??= new SocketAddress(AddressFamily.InterNetwork);
        int received = await ReceiveFromAsync(buffer, socketFlags, source, cancellationToken).ConfigureAwait(false);
        return new SocketReceiveFromResult { ReceivedBytes = received, RemoteEndPoint = EndPointOf(source, remoteEndPoint) };
    }

    /// <summary>
    /// The next datagram into <paramref name="buffer"/> and its sender into <paramref name="receivedAddress"/> (create it
    /// once with <c>new SocketAddress(AddressFamily.InterNetwork)</c> and reuse it): the form that allocates nothing.
    /// </summary>
    public ValueTask<int> ReceiveFromAsync(Memory<byte> buffer, SocketFlags socketFlags, SocketAddress receivedAddress, CancellationToken cancellationToken = default)
    {
        try
        {
            ThrowIfDisposed();
            ArgumentNullException.ThrowIfNull(receivedAddress);
            if (ProtocolType != ProtocolType.Udp) throw new SocketException((int)SocketError.OperationNotSupported);
            if (_udp is null) throw new SocketException((int)SocketError.InvalidArgument);
            return _udp.ReceiveFromAsync(buffer, receivedAddress, cancellationToken);
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<int>(exception);
        }
    }

    /// <summary>The sender as an endpoint: <paramref name="hint"/> itself when it already names it (as Socket reuses it), else a new one.</summary>
    private static IPEndPoint EndPointOf(SocketAddress source, EndPoint hint)
    {
        (Ipv4Address address, ushort port) = UdpChannel.ReadSocketAddress(source);
        if (hint is IPEndPoint ip && ip.Port == port && ip.AddressFamily == AddressFamily.InterNetwork && Ipv4Address.FromIPAddress(ip.Address) == address) return ip;
        return new IPEndPoint(address.ToIPAddress(), port);
    }

    /// <summary>Synchronous <see cref="ReceiveFromAsync(Memory{byte}, SocketFlags, EndPoint, CancellationToken)"/>; fails with TimedOut after <see cref="ReceiveTimeout"/>.</summary>
    public int ReceiveFrom(byte[] buffer, ref EndPoint remoteEP)
    {
        using CancellationTokenSource? timeout = TimeoutSource(ReceiveTimeout);
        SocketReceiveFromResult result = Wait(ReceiveFromAsync(buffer, SocketFlags.None, remoteEP, timeout?.Token ?? default).AsTask(), Timeout.Infinite);
        remoteEP = result.RemoteEndPoint;
        return result.ReceivedBytes;
    }

    /// <summary>Half-closes: Send sends a FIN after the queued bytes, Receive makes later receives return 0, Both does both.</summary>
    public void Shutdown(SocketShutdown how)
    {
        ThrowIfDisposed();
        if (_connection is null) throw new SocketException((int)SocketError.NotConnected);
        if (how is SocketShutdown.Send or SocketShutdown.Both && !_sendShutdown)
        {
            _sendShutdown = true;
            _connection.Output.Complete();
        }
        if (how is SocketShutdown.Receive or SocketShutdown.Both) _receiveShutdown = true;
    }

    /// <summary>Sets an option: Socket KeepAlive, Tcp NoDelay, TcpKeepAliveTime (s), TcpKeepAliveInterval (s), TcpKeepAliveRetryCount.</summary>
    public void SetSocketOption(SocketOptionLevel optionLevel, SocketOptionName optionName, int optionValue)
    {
        ThrowIfDisposed();
        switch (optionLevel, optionName)
        {
            case (SocketOptionLevel.Socket, SocketOptionName.KeepAlive): _keepAlive = optionValue != 0; break;
            case (SocketOptionLevel.Tcp, SocketOptionName.NoDelay): NoDelay = optionValue != 0; return;
            case (SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime): _keepAliveTime = optionValue; break;
            case (SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval): _keepAliveInterval = optionValue; break;
            case (SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount): _keepAliveCount = optionValue; break;
            case (SocketOptionLevel.Socket, SocketOptionName.SendBuffer): SendBufferSize = optionValue; return;
            case (SocketOptionLevel.Socket, SocketOptionName.ReceiveBuffer): ReceiveBufferSize = optionValue; return;
            case (SocketOptionLevel.Socket, SocketOptionName.ReceiveTimeout): ReceiveTimeout = optionValue; return;
            case (SocketOptionLevel.Socket, SocketOptionName.SendTimeout): SendTimeout = optionValue; return;
            default: throw new SocketException((int)SocketError.ProtocolOption);
        }
        ApplyKeepAlive();
    }

    /// <summary>Boolean form of <see cref="SetSocketOption(SocketOptionLevel, SocketOptionName, int)"/>.</summary>
    public void SetSocketOption(SocketOptionLevel optionLevel, SocketOptionName optionName, bool optionValue) =>
        SetSocketOption(optionLevel, optionName, optionValue ? 1 : 0);

    /// <summary>Reads an option set with <see cref="SetSocketOption(SocketOptionLevel, SocketOptionName, int)"/>.</summary>
    public int GetSocketOption(SocketOptionLevel optionLevel, SocketOptionName optionName)
    {
        var defaults = new TcpSettings();
        return (optionLevel, optionName) switch
        {
            (SocketOptionLevel.Socket, SocketOptionName.KeepAlive) => _keepAlive ? 1 : 0,
            (SocketOptionLevel.Tcp, SocketOptionName.NoDelay) => NoDelay ? 1 : 0,
            (SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime) => _keepAliveTime ?? (int)defaults.KeepAliveTime.TotalSeconds,
            (SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval) => _keepAliveInterval ?? (int)defaults.KeepAliveInterval.TotalSeconds,
            (SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount) => _keepAliveCount ?? defaults.KeepAliveProbes,
            (SocketOptionLevel.Socket, SocketOptionName.SendBuffer) => SendBufferSize,
            (SocketOptionLevel.Socket, SocketOptionName.ReceiveBuffer) => ReceiveBufferSize,
            (SocketOptionLevel.Socket, SocketOptionName.ReceiveTimeout) => ReceiveTimeout,
            (SocketOptionLevel.Socket, SocketOptionName.SendTimeout) => SendTimeout,
            _ => throw new SocketException((int)SocketError.ProtocolOption),
        };
    }

    /// <summary>Closes the socket (see <see cref="Dispose"/>).</summary>
    public void Close() => Dispose();

    /// <summary>
    /// Closes: a connection ends with a FIN after the queued bytes (a RST when <see cref="LingerState"/> is enabled with
    /// 0 s, or when received bytes were left unread); pending operations fail with OperationAborted.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _listener?.Dispose();
        _udp?.Dispose();
        if (_ownsReservation && _boundPort != 0) PortReservations.For(_instance.Stack).Release(_boundPort);
        if (_connection is JunctionConnection connection)
        {
            connection.Reader.Fail(SocketErrors.Aborted());
            if (LingerState is { Enabled: true, LingerTime: 0 }) connection.Abort();
            connection.Dispose();
        }
    }

    private SocketException SendError(JunctionConnection connection)
    {
        if (_disposed != 0) return SocketErrors.Aborted();
        SocketError error = connection.Tcp.Error;
        return new SocketException((int)(error == SocketError.Success ? SocketError.Shutdown : error));
    }

    private static CancellationTokenSource? TimeoutSource(int milliseconds) =>
        milliseconds > 0 ? new CancellationTokenSource(milliseconds) : null;

    /// <summary>Blocks for a synchronous call; a timeout's cancellation surfaces as TimedOut, other failures unwrapped.</summary>
    private static T Wait<T>(Task<T> task, int milliseconds)
    {
        try
        {
            if (!task.Wait(milliseconds)) throw new SocketException((int)SocketError.TimedOut);
            return task.Result;
        }
        catch (AggregateException aggregate) when (aggregate.InnerException is OperationCanceledException)
        {
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch (AggregateException aggregate) when (aggregate.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(aggregate.InnerException).Throw();
            throw;
        }
    }

    private static void Wait(Task task, int milliseconds) => Wait(task.ContinueWith(static t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), milliseconds);

    private JunctionConnectionOptions ConnectionOptions() => new()
    {
        NoDelay = _noDelay,
        SendBufferSize = _sendBufferSize,
        ReceiveBufferSize = _receiveBufferSize,
    };

    private void ApplyKeepAlive()
    {
        if (_connection is null) return;
        bool on = _keepAlive;
        int? time = _keepAliveTime, interval = _keepAliveInterval, count = _keepAliveCount;
        OnStack(c =>
        {
            if (time is int t) c.KeepAliveTime = TimeSpan.FromSeconds(t);
            if (interval is int i) c.KeepAliveInterval = TimeSpan.FromSeconds(i);
            if (count is int n) c.KeepAliveProbes = n;
            c.KeepAlive = on;
        });
    }

    private T OnStack<T>(Func<TcpConnection, T> read)
    {
        using (_instance.EnterStack()) return read(_connection!.Tcp);
    }

    private void OnStack(Action<TcpConnection> change)
    {
        using (_instance.EnterStack()) change(_connection!.Tcp);
        Endpoints.Kick(_instance);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed != 0, this);
}

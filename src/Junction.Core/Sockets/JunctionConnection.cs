using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Junction.Runtime;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Sockets;

/// <summary>
/// A TCP connection of a <see cref="RuntimeInstance"/> as an <see cref="IDuplexPipe"/>. <see cref="Input"/> reads the
/// received payload where it arrived, in the device's frames (no copy); <see cref="Output"/> hands out room in device
/// frames, from which segments are transmitted (no copy either).
/// </summary>
/// <remarks>
/// <para>Ends: <c>Output.Complete()</c> sends a FIN (half-close; with an exception: a RST); the peer's FIN completes
/// <see cref="Input"/> (<c>IsCompleted</c>); a reset or timeout fails <see cref="Input"/> with a
/// <see cref="SocketException"/> (ConnectionReset, TimedOut), <see cref="Abort"/> with OperationAborted; flushes after
/// the end report <c>IsCompleted</c> and drop the bytes. <see cref="DisposeAsync"/> closes (FIN after queued data, or
/// RST when received data was left unread, as close() does).</para>
/// <para>Threads: any thread may use the pipes. Work on the stack runs inline when the caller is a uthread of the
/// instance and is taken from the caller's thread otherwise; completions of waiting reads and flushes run
/// asynchronously, never inside the stack, and allocate nothing: code awaiting on a uthread of the instance resumes as
/// a uthread (with or without <c>ConfigureAwait(false)</c>; after a stack poll, on the same kthread right after the
/// poll), other code on its synchronization context or task scheduler, else on the thread pool.</para>
/// </remarks>
public sealed class JunctionConnection : IDuplexPipe, IAsyncDisposable, IDisposable
{
    private static readonly Action<object?> s_runStackWork = static state => ((JunctionConnection)state!).RunPostedStackWork();

    private readonly RuntimeInstance _instance;
    private readonly TcpConnection _tcp;
    private readonly JunctionPipeReader _reader;
    private readonly JunctionPipeWriter _writer;
    private readonly TaskCompletionSource? _connected;
    private readonly CancellationTokenSource _closedSource = new();
    private readonly CancellationTokenSource _receiveEndedSource = new();
    private int _receiveEnded;
    private StackWork _work;
    private int _posted;
    private int _disposed;

    /// <summary>Wraps <paramref name="tcp"/>; runs on the stack (the caller holds it).</summary>
    internal JunctionConnection(RuntimeInstance instance, TcpConnection tcp, JunctionConnectionOptions? options, bool connecting)
    {
        options ??= new JunctionConnectionOptions();
        _instance = instance;
        _tcp = tcp;
        int sendSize = options.SendBufferSize ?? tcp.SendBufferSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(sendSize, 1, nameof(options));
        int ringSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(sendSize, 4096, TcpSendBuffer.MaxCapacity));
        int pause = options.PauseWriterThreshold ?? ringSize;
        int resume = options.ResumeWriterThreshold ?? pause / 2;
        ArgumentOutOfRangeException.ThrowIfLessThan(pause, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resume, pause, nameof(options));
        _writer = new JunctionPipeWriter(this, ringSize, pause, resume);
        _reader = new JunctionPipeReader(this, options.ResumeOnRuntime);
        tcp.SendBufferSize = _writer.Capacity;
        if (options.ReceiveBufferSize is int receiveSize) tcp.ReceiveBufferSize = receiveSize;
        if (options.NoDelay is bool noDelay) tcp.NoDelay = noDelay;
        tcp.BeginReceiveLend();
        LocalEndPoint = new IPEndPoint(tcp.LocalAddress.ToIPAddress(), tcp.LocalPort);
        RemoteEndPoint = new IPEndPoint(tcp.RemoteAddress.ToIPAddress(), tcp.RemotePort);
        if (connecting) _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcp.Observer = new Observer(this);
        if (!connecting)
        {
            _reader.RefreshOnStack(tcp);
            if (tcp.State == TcpState.Closed) _writer.CloseOnStack();
            if (tcp.FinReceived || tcp.State == TcpState.Closed) EndReceive(); // the peer was quicker than the accept
        }
    }

    [Flags]
    internal enum StackWork
    {
        None = 0,
        Abort = 1,
        Pump = 2,
        Refresh = 4,
        ReaderDone = 8,
        Close = 16,
    }

    /// <summary>The received bytes, in the frames they arrived in.</summary>
    public PipeReader Input => _reader;

    /// <summary>The bytes to send, written into device frames.</summary>
    public PipeWriter Output => _writer;

    /// <summary>This side's address and port.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The peer's address and port.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The instance whose stack carries the connection.</summary>
    public RuntimeInstance Instance => _instance;

    /// <summary>Cancelled (on the thread pool) when the connection reached Closed: reset, timed out, or both FINs done.</summary>
    public CancellationToken ConnectionClosed => _closedSource.Token;

    /// <summary>
    /// Cancelled (on the thread pool) as soon as nothing more can arrive: the peer's FIN, a reset, a timeout, or the
    /// connection's close — the moment Kestrel's Sockets transport reports its ConnectionClosed, which is how a server
    /// notices a client that left mid-request.
    /// </summary>
    public CancellationToken ReceiveEnded => _receiveEndedSource.Token;

    internal object Gate { get; } = new();

    internal TcpConnection Tcp => _tcp;

    internal JunctionPipeReader Reader => _reader;

    internal JunctionPipeWriter Writer => _writer;

    /// <summary>
    /// Opens a connection from <paramref name="instance"/> to <paramref name="remote"/> and completes once it is
    /// established. Fails with <see cref="SocketException"/>: ConnectionRefused (RST to the SYN), TimedOut (no answer).
    /// </summary>
    public static Task<JunctionConnection> ConnectAsync(RuntimeInstance instance, IPEndPoint remote, JunctionConnectionOptions? options = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(instance, remote, 0, options, cancellationToken);

    internal static async Task<JunctionConnection> ConnectAsync(RuntimeInstance instance, IPEndPoint remote, ushort localPort, JunctionConnectionOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(remote);
        cancellationToken.ThrowIfCancellationRequested();
        Ipv4Address address = Endpoints.ToIpv4(remote.Address);
        JunctionConnection connection;
        using (instance.EnterStack())
        {
            TcpConnection tcp = instance.Stack.TcpConnect(address, (ushort)remote.Port, localPort);
            connection = new JunctionConnection(instance, tcp, options, connecting: true);
        }
        Endpoints.Kick(instance);
        using (cancellationToken.UnsafeRegister(static state => ((JunctionConnection)state!).Abort(), connection))
        {
            try
            {
                await connection._connected!.Task.ConfigureAwait(false);
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
        return connection;
    }

    /// <summary>Resets the connection now (RST); pending and later reads fail with OperationAborted.</summary>
    public void Abort()
    {
        _reader.Fail(SocketErrors.Aborted());
        RequestStackWork(StackWork.Abort);
    }

    /// <summary>
    /// Closes: completes both pipes if the application has not (a FIN after the queued bytes), then closes the TCP
    /// connection, which resets it instead when received bytes were left unread.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _reader.Complete();
        _writer.Complete(null, sendEnd: false);
        RequestStackWork(StackWork.Close);
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{LocalEndPoint} -> {RemoteEndPoint}";

    /// <summary>Runs <paramref name="work"/> on the stack: now if the caller is a uthread of the instance, else as a posted uthread.</summary>
    internal void RequestStackWork(StackWork work)
    {
        lock (Gate) _work |= work;
        if (RuntimeInstance.Current == _instance)
        {
            using (_instance.EnterStack()) RunStackWork();
            return;
        }
        // Off the runtime: take the stack and poll it here, so the bytes leave now instead of after waking a
        // kthread; a parked instance is then kicked (off the critical path) so it re-arms its timers.
        using (_instance.EnterStack())
        {
            RunStackWork();
            _instance.Stack.Poll(_instance.Runtime.Now);
        }
        if (_instance.IsIdle && Interlocked.Exchange(ref _posted, 1) == 0) _instance.Post(s_runStackWork, this);
    }

    private void RunPostedStackWork()
    {
        Volatile.Write(ref _posted, 0);
        using (_instance.EnterStack()) RunStackWork();
    }

    private void RunStackWork()
    {
        StackWork work;
        lock (Gate)
        {
            work = _work;
            _work = StackWork.None;
        }
        if (work == StackWork.None) return;
        if ((work & StackWork.Abort) != 0)
        {
            _tcp.Abort();
            _writer.CloseOnStack();
        }
        if ((work & StackWork.Pump) != 0) _writer.PumpOnStack(_tcp);
        if ((work & StackWork.Refresh) != 0) _reader.RefreshOnStack(_tcp);
        if ((work & StackWork.ReaderDone) != 0) _tcp.EndReceiveLend();
        if ((work & StackWork.Close) != 0) _tcp.Close();
    }

    private void OnClosedOnStack()
    {
        _reader.RefreshOnStack(_tcp);
        _writer.CloseOnStack();
        if (_connected is not null && !_connected.Task.IsCompleted)
        {
            SocketError error = _tcp.Error == SocketError.Success ? SocketError.OperationAborted : _tcp.Error;
            _connected.TrySetException(SocketErrors.ForConnection(error));
        }
        EndReceive();
        _ = _closedSource.CancelAsync();
    }

    private void EndReceive()
    {
        if (Interlocked.Exchange(ref _receiveEnded, 1) == 0) _ = _receiveEndedSource.CancelAsync();
    }

    /// <summary>The connection's stack events, on the kthread that holds the stack: they only publish state and wake waiters.</summary>
    private sealed class Observer(JunctionConnection owner) : ITcpConnectionObserver
    {
        public void OnConnected(TcpConnection connection) => owner._connected?.TrySetResult();

        public void OnReadable(TcpConnection connection)
        {
            owner._reader.RefreshOnStack(connection);
            if (connection.FinReceived) owner.EndReceive();
        }

        public void OnWritable(TcpConnection connection) => owner._writer.PumpOnStack(connection);

        public void OnClosed(TcpConnection connection) => owner.OnClosedOnStack();
    }
}

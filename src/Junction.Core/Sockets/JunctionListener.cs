using System.Net;
using System.Net.Sockets;
using Junction.Runtime;
using Junction.Stack.Tcp;

namespace Junction.Sockets;

/// <summary>
/// A listening TCP port of a <see cref="RuntimeInstance"/> that hands out established connections as
/// <see cref="JunctionConnection"/> pipes. Connections are wrapped on the kthread that completed their handshake.
/// </summary>
public sealed class JunctionListener : IAsyncDisposable, IDisposable
{
    private readonly RuntimeInstance _instance;
    private readonly TcpListenEndpoint _endpoint;
    private readonly JunctionConnectionOptions? _options;
    private readonly PortReservations _reservations;
    private readonly bool _ownsReservation;
    private readonly Queue<JunctionConnection> _ready = new();
    private readonly Queue<TaskCompletionSource<JunctionConnection>> _waiters = new();
    private readonly object _gate = new();
    private bool _disposed;

    private JunctionListener(RuntimeInstance instance, TcpListenEndpoint endpoint, JunctionConnectionOptions? options, bool ownsReservation)
    {
        _instance = instance;
        _endpoint = endpoint;
        _options = options;
        _reservations = PortReservations.For(instance.Stack);
        _ownsReservation = ownsReservation;
        LocalEndPoint = new IPEndPoint(instance.Stack.Address.ToIPAddress(), endpoint.LocalPort);
    }

    /// <summary>The address and port listened on.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Listens on <paramref name="port"/> (0: an ephemeral port) of <paramref name="instance"/>'s address. Throws
    /// <see cref="SocketException"/> (AddressAlreadyInUse) when the port is taken.
    /// </summary>
    public static JunctionListener Listen(RuntimeInstance instance, int port, int backlog = 512, JunctionConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        ushort reserved = PortReservations.For(instance.Stack).Reserve((ushort)port);
        try
        {
            return Listen(instance, reserved, backlog, options, ownsReservation: true);
        }
        catch
        {
            PortReservations.For(instance.Stack).Release(reserved);
            throw;
        }
    }

    /// <summary>Listens on a port the caller reserved (a bound socket); the reservation passes to the listener when it owns it.</summary>
    internal static JunctionListener Listen(RuntimeInstance instance, ushort port, int backlog, JunctionConnectionOptions? options, bool ownsReservation)
    {
        JunctionListener listener;
        using (instance.EnterStack())
        {
            TcpListenEndpoint endpoint = instance.Stack.TcpListen(port, Math.Max(1, backlog));
            listener = new JunctionListener(instance, endpoint, options, ownsReservation);
            endpoint.Observer = new Observer(listener);
            listener.TakeAccepted();
        }
        return listener;
    }

    /// <summary>
    /// The next established connection. Fails with <see cref="SocketException"/> (OperationAborted) once the listener is
    /// disposed, and with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public ValueTask<JunctionConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<JunctionConnection> waiter;
        lock (_gate)
        {
            if (_disposed) return ValueTask.FromException<JunctionConnection>(SocketErrors.Aborted());
            if (_ready.TryDequeue(out JunctionConnection? ready)) return new ValueTask<JunctionConnection>(ready);
            if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<JunctionConnection>(cancellationToken);
            waiter = new TaskCompletionSource<JunctionConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }
        return cancellationToken.CanBeCanceled ? new ValueTask<JunctionConnection>(WaitAsync(waiter, cancellationToken)) : new ValueTask<JunctionConnection>(waiter.Task);
    }

    /// <summary>Stops listening: connections not accepted yet are reset, pending accepts fail with OperationAborted.</summary>
    public void Dispose()
    {
        JunctionConnection[] unaccepted;
        TaskCompletionSource<JunctionConnection>[] waiters;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            unaccepted = [.. _ready];
            waiters = [.. _waiters];
            _ready.Clear();
            _waiters.Clear();
        }
        using (_instance.EnterStack()) _endpoint.Dispose();
        Endpoints.Kick(_instance);
        if (_ownsReservation) _reservations.Release(_endpoint.LocalPort);
        foreach (JunctionConnection connection in unaccepted) connection.Abort();
        foreach (TaskCompletionSource<JunctionConnection> waiter in waiters) waiter.TrySetException(SocketErrors.Aborted());
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<JunctionConnection> WaitAsync(TaskCompletionSource<JunctionConnection> waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource<JunctionConnection>)state!).TrySetCanceled(), waiter))
        {
            try
            {
                return await waiter.Task.ConfigureAwait(false);
            }
            catch (TaskCanceledException)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    /// <summary>On the stack: wraps every established connection and gives it to a waiting accept or queues it.</summary>
    private void TakeAccepted()
    {
        while (_endpoint.TryAccept(out TcpConnection? tcp))
        {
            var connection = new JunctionConnection(_instance, tcp, _options, connecting: false);
            lock (_gate)
            {
                bool handed = false;
                while (!handed && _waiters.TryDequeue(out TaskCompletionSource<JunctionConnection>? waiter)) handed = waiter.TrySetResult(connection);
                if (!handed) _ready.Enqueue(connection);
            }
        }
    }

    private sealed class Observer(JunctionListener owner) : ITcpListenerObserver
    {
        public void OnAcceptable(TcpListenEndpoint listener) => owner.TakeAccepted();
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Junction.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Junction.Transport.Kestrel.Internal;

/// <summary>
/// One accepted connection as Kestrel sees it, after its Sockets transport's connection: <see cref="Transport"/> is
/// the <see cref="JunctionConnection"/>'s own zero-copy pipes (no pipe pair and no copy loop in between), the
/// features are the ones Kestrel and middleware look up, and <see cref="Abort(ConnectionAbortedException)"/> resets.
/// </summary>
internal sealed class JunctionConnectionContext : ConnectionContext,
    IConnectionIdFeature,
    IConnectionTransportFeature,
    IConnectionItemsFeature,
    IMemoryPoolFeature,
    IConnectionLifetimeFeature,
    IConnectionEndPointFeature
{
    private readonly JunctionConnection _connection;
    private readonly ILogger _logger;
    private IDictionary<object, object?>? _items;
    private volatile ConnectionAbortedException? _abortReason;
    private int _disposed;

    public JunctionConnectionContext(JunctionConnection connection, MemoryPool<byte> memoryPool, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
        MemoryPool = memoryPool;
        ConnectionId = ConnectionIds.Next();
        LocalEndPoint = connection.LocalEndPoint;
        RemoteEndPoint = connection.RemoteEndPoint;
        // As Sockets' connection: closed for Kestrel once the receive side ended (the client's FIN aborts its request).
        ConnectionClosed = connection.ReceiveEnded;
        Transport = new TransportPipe(new JunctionTransportReader(connection.Input, this), connection.Output);

        var features = new FeatureCollection();
        features.Set<IConnectionIdFeature>(this);
        features.Set<IConnectionTransportFeature>(this);
        features.Set<IConnectionItemsFeature>(this);
        features.Set<IMemoryPoolFeature>(this);
        features.Set<IConnectionLifetimeFeature>(this);
        features.Set<IConnectionEndPointFeature>(this);
        features.Set(connection);
        Features = features;
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public MemoryPool<byte> MemoryPool { get; }

    /// <summary>The Junction connection under this context.</summary>
    public JunctionConnection Connection => _connection;

    public override void Abort() => Abort(new ConnectionAbortedException("The connection was aborted by the application."));

    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (abortReason is null)
        {
            // Kestrel's graceful abort (KestrelServerOptions.FinOnError off, e.g. after the client's FIN): as Sockets'
            // shutdown, a FIN after the queued bytes. Throwing here would stop Kestrel from aborting the request.
            _connection.Output.Complete(); // idempotent, as PipeWriter.Complete is
            return;
        }
        if (_abortReason is not null) return;
        _abortReason = abortReason;
        JunctionTransportLog.ConnectionAborted(_logger, ConnectionId, abortReason.Message);
        // Pending and later reads fail (with this reason, see Translate); flushes complete and drop their bytes.
        _connection.Abort();
    }

    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Completes both pipes if Kestrel has not, then closes: a FIN after the queued bytes, or a RST when
            // received bytes were left unread (as close() on a socket).
            _connection.Dispose();
            JunctionTransportLog.ConnectionClosed(_logger, ConnectionId);
        }
        return base.DisposeAsync();
    }

    /// <summary>The exception Kestrel expects for <paramref name="error"/> from the connection's input.</summary>
    internal Exception Translate(SocketException error)
    {
        if (_abortReason is ConnectionAbortedException aborted) return aborted;
        switch (error.SocketErrorCode)
        {
            case SocketError.ConnectionReset:
            case SocketError.ConnectionAborted:
            case SocketError.Shutdown:
            case SocketError.TimedOut:
                JunctionTransportLog.ConnectionReset(_logger, ConnectionId);
                return new ConnectionResetException(error.Message, error);
            case SocketError.OperationAborted:
            case SocketError.Interrupted:
                return new ConnectionAbortedException(error.Message, error);
            default:
                JunctionTransportLog.ConnectionError(_logger, ConnectionId, error);
                return new IOException(error.Message, error);
        }
    }
}

using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Junction.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Junction.Transport.Kestrel.Internal;

/// <summary>A Kestrel endpoint on Junction: a <see cref="JunctionListener"/> whose connections become <see cref="JunctionConnectionContext"/>s.</summary>
internal sealed class JunctionConnectionListener : IConnectionListener
{
    private readonly JunctionListener _listener;
    private readonly MemoryPool<byte> _memoryPool;
    private readonly bool _ownsMemoryPool;
    private readonly ILogger _logger;
    private int _unbound;

    /// <summary>Wraps <paramref name="listener"/>; <paramref name="memoryPool"/> is Kestrel's pool for the endpoint (null: the shared pool).</summary>
    public JunctionConnectionListener(JunctionListener listener, MemoryPool<byte>? memoryPool, ILogger logger)
    {
        _listener = listener;
        _ownsMemoryPool = memoryPool is not null;
        _memoryPool = memoryPool ?? MemoryPool<byte>.Shared;
        _logger = logger;
    }

    public EndPoint EndPoint => _listener.LocalEndPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        JunctionConnection connection;
        try
        {
            connection = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.OperationAborted)
        {
            // Unbound or disposed: null tells Kestrel's accept loop to stop.
            return null;
        }
        var context = new JunctionConnectionContext(connection, _memoryPool, _logger);
        JunctionTransportLog.ConnectionAccepted(_logger, context.ConnectionId, connection.RemoteEndPoint);
        return context;
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        // Stops accepting: pending accepts return null, connections still in the backlog are reset, accepted ones go on.
        if (Interlocked.Exchange(ref _unbound, 1) == 0)
        {
            _listener.Dispose();
            JunctionTransportLog.ListenerUnbound(_logger, EndPoint);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);
        if (_ownsMemoryPool) _memoryPool.Dispose();
    }
}

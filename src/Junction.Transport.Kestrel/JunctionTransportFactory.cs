using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Junction.Runtime;
using Junction.Sockets;
using Junction.Transport.Kestrel.Internal;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Transport.Kestrel;

/// <summary>
/// Kestrel's connection listener factory for Junction. It binds only the endpoints on the Junction stack's address
/// (and the wildcard addresses with <see cref="JunctionTransportOptions.ServeAnyAddress"/>); Kestrel gives every
/// other endpoint (loopback, other interfaces' addresses, Unix sockets) to the next factory, its Sockets transport.
/// The stack starts at the first bind and stops when the factory is disposed with the host's services.
/// </summary>
public sealed class JunctionTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector, IAsyncDisposable, IDisposable
{
    private readonly JunctionTransportOptions _options;
    private readonly IMemoryPoolFactory<byte>? _memoryPoolFactory;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly IPAddress _address;
    private JunctionHost? _host;
    private bool _disposed;

    /// <summary>Creates the factory (the host's service provider does: <c>UseJunction</c> registers it).</summary>
    public JunctionTransportFactory(IOptions<JunctionTransportOptions> options, ILoggerFactory loggerFactory, IMemoryPoolFactory<byte>? memoryPoolFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _memoryPoolFactory = memoryPoolFactory;
        _logger = loggerFactory.CreateLogger(JunctionTransportLog.Category);
        _address = JunctionHost.ResolveAddress(_options);
    }

    /// <summary>The stack's address: Kestrel endpoints on it are Junction's.</summary>
    public IPAddress Address => _address;

    /// <summary>The runtime instance serving the endpoints, once the first endpoint was bound (null before).</summary>
    public RuntimeInstance? Instance
    {
        get
        {
            lock (_gate) return _host?.Instance;
        }
    }

    /// <summary>Whether <paramref name="endpoint"/> is Junction's: an <see cref="IPEndPoint"/> on the stack's address (or a wildcard one when configured).</summary>
    public bool CanBind(EndPoint endpoint)
    {
        if (endpoint is not IPEndPoint ip) return false;
        IPAddress address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        if (address.Equals(_address)) return true;
        return _options.ServeAnyAddress && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));
    }

    /// <summary>
    /// Listens on <paramref name="endpoint"/>'s port of the stack (port 0: an ephemeral port). Fails with
    /// <see cref="AddressInUseException"/> when the port is taken.
    /// </summary>
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        cancellationToken.ThrowIfCancellationRequested();
        if (!CanBind(endpoint)) throw new NotSupportedException($"Junction serves {_address}; it cannot bind {endpoint}.");
        RuntimeInstance instance = EnsureStarted();
        var connectionOptions = new JunctionConnectionOptions
        {
            ReceiveBufferSize = _options.MaxReadBufferSize is long read ? (int)Math.Clamp(read, 1, int.MaxValue) : null,
            PauseWriterThreshold = _options.MaxWriteBufferSize is long write ? (int)Math.Clamp(write, 1, int.MaxValue) : null,
            SendBufferSize = _options.SendBufferSize,
            NoDelay = _options.NoDelay,
            ResumeOnRuntime = _options.ResumeOnRuntime,
        };
        JunctionListener listener;
        try
        {
            listener = JunctionListener.Listen(instance, ((IPEndPoint)endpoint).Port, _options.Backlog, connectionOptions);
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(error.Message, error);
        }
        MemoryPool<byte>? pool = _memoryPoolFactory?.Create(new MemoryPoolOptions { Owner = "junction" });
        JunctionTransportLog.ListenerBound(_logger, listener.LocalEndPoint, endpoint);
        return new ValueTask<IConnectionListener>(new JunctionConnectionListener(listener, pool, _logger));
    }

    /// <summary>Stops the stack the transport started (an application's own instance is left running).</summary>
    public void Dispose()
    {
        JunctionHost? host;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            host = _host;
            _host = null;
        }
        host?.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private RuntimeInstance EnsureStarted()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _host ??= JunctionHost.Start(_options, _logger);
            return _host.Instance;
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Junction.Devices;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Sockets;

/// <summary>
/// What an application creates once: a network stack on a device at an address, run by a runtime. Sockets,
/// listeners, connections and <see cref="HttpClient"/>s made from it use that stack:
/// <code>using var net = JunctionNetwork.Create(device, IPAddress.Parse("10.0.0.2"));
/// using var http = net.CreateHttpClient();</code>
/// </summary>
public sealed class JunctionNetwork : IDisposable, IAsyncDisposable
{
    private readonly JunctionRuntime _runtime;
    private readonly bool _ownsRuntime;
    private readonly bool _ownsInstance = true;
    private int _disposed;

    /// <summary>Runs a stack with <paramref name="options"/> on <paramref name="device"/>, under <paramref name="runtime"/> (null: a runtime of its own).</summary>
    public JunctionNetwork(INetDevice device, NetStackOptions options, JunctionRuntime? runtime = null, RuntimeInstanceOptions? instanceOptions = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        _ownsRuntime = runtime is null;
        _runtime = runtime ?? new JunctionRuntime();
        try
        {
            Instance = _runtime.CreateInstance(device, options, instanceOptions);
        }
        catch
        {
            if (_ownsRuntime) _runtime.Dispose();
            throw;
        }
    }

    private JunctionNetwork(RuntimeInstance instance)
    {
        _runtime = instance.Runtime;
        Instance = instance;
        _ownsInstance = false;
    }

    /// <summary>The runtime instance: its stack, scheduler and synchronization context.</summary>
    public RuntimeInstance Instance { get; }

    /// <summary>The stack's IPv4 address.</summary>
    public IPAddress Address => Instance.Stack.Address.ToIPAddress();

    /// <summary>
    /// A connect callback for <see cref="SocketsHttpHandler.ConnectCallback"/>: opens the connection on this stack.
    /// Host names that are not IP literals are resolved with <see cref="Dns"/> (the first IPv4 address).
    /// </summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback => ConnectHttpAsync;

    /// <summary>A stack at <paramref name="address"/>/<paramref name="prefixLength"/> on <paramref name="device"/>, with a runtime of its own.</summary>
    public static JunctionNetwork Create(INetDevice device, IPAddress address, int prefixLength = 24) =>
        new(device, new NetStackOptions { Address = Ipv4Address.FromIPAddress(address), PrefixLength = prefixLength });

    /// <summary>The API over an instance the caller created and keeps owning (disposing the network leaves it running).</summary>
    public static JunctionNetwork ForInstance(RuntimeInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new JunctionNetwork(instance);
    }

    /// <summary>A socket on this stack (TCP: Stream/Tcp; UDP: Dgram/Udp).</summary>
    public JunctionSocket CreateSocket(SocketType socketType, ProtocolType protocolType) => new(Instance, socketType, protocolType);

    /// <summary>Listens on <paramref name="port"/> for connections as pipes.</summary>
    public JunctionListener Listen(int port, int backlog = 512, JunctionConnectionOptions? options = null) =>
        JunctionListener.Listen(Instance, port, backlog, options);

    /// <summary>Opens a connection as a pipe.</summary>
    public Task<JunctionConnection> ConnectAsync(IPEndPoint remote, JunctionConnectionOptions? options = null, CancellationToken cancellationToken = default) =>
        JunctionConnection.ConnectAsync(Instance, remote, options, cancellationToken);

    /// <summary>A handler whose connections go over this stack.</summary>
    public SocketsHttpHandler CreateHttpHandler() => new() { ConnectCallback = ConnectCallback };

    /// <summary>An <see cref="HttpClient"/> whose connections go over this stack.</summary>
    public HttpClient CreateHttpClient() => new(CreateHttpHandler(), disposeHandler: true);

    /// <summary>Disposes the instance (and the runtime if it is this network's own); nothing for <see cref="ForInstance"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_ownsRuntime) _runtime.Dispose();
        else if (_ownsInstance) Instance.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask<Stream> ConnectHttpAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        DnsEndPoint target = context.DnsEndPoint;
        if (!IPAddress.TryParse(target.Host, out IPAddress? address))
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(target.Host, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
            if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
            address = addresses[0];
        }
        var socket = new JunctionSocket(Instance, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, target.Port), cancellationToken).ConfigureAwait(false);
            return new JunctionNetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Sockets;
using Junction.Stack;
using Junction.Transport.Kestrel;
using Junction.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Junction.Tests.Kestrel;

/// <summary>
/// A real Kestrel host (WebApplication) serving on Junction at 10.9.0.1 on a real-time virtual switch, and a client
/// Junction instance at 10.9.0.2 on the same switch (its own runtime) with an <see cref="HttpClient"/> over it.
/// </summary>
internal sealed class KestrelLab : IAsyncDisposable
{
    public static readonly IPAddress ServerAddress = IPAddress.Parse("10.9.0.1");
    public const int Port = 8080;

    private readonly JunctionRuntime _clientRuntime;
    private readonly JunctionNetwork _clientNetwork;

    private KestrelLab(VirtualSwitch network, JunctionRuntime clientRuntime, RuntimeInstance client, WebApplication app)
    {
        Switch = network;
        _clientRuntime = clientRuntime;
        Client = client;
        App = app;
        _clientNetwork = JunctionNetwork.ForInstance(client);
        Http = _clientNetwork.CreateHttpClient();
        Http.BaseAddress = new Uri($"http://{ServerAddress}:{Port}/");
    }

    public VirtualSwitch Switch { get; }

    public RuntimeInstance Client { get; }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public JunctionNetwork ClientNetwork => _clientNetwork;

    /// <summary>The port Kestrel bound on 127.0.0.1 (with <c>loopback</c>).</summary>
    public int LoopbackPort
    {
        get
        {
            foreach (string url in App.Urls)
            {
                var uri = new Uri(url);
                if (uri.Host == "127.0.0.1") return uri.Port;
            }
            throw new InvalidOperationException("The host does not listen on loopback.");
        }
    }

    /// <summary>
    /// A raw TCP stream to the host: over Junction (client instance to 10.9.0.1) or over the kernel's loopback to
    /// the Sockets-served endpoint, so that a test can assert both transports behave alike.
    /// </summary>
    public async Task<Stream> OpenStreamAsync(string transport)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (transport == "junction")
        {
            JunctionSocket socket = _clientNetwork.CreateSocket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(ServerAddress, Port), timeout.Token);
                return new JunctionNetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        var kernel = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await kernel.ConnectAsync(new IPEndPoint(IPAddress.Loopback, LoopbackPort), timeout.Token);
            return new NetworkStream(kernel, ownsSocket: true);
        }
        catch
        {
            kernel.Dispose();
            throw;
        }
    }

    /// <summary>Reads from <paramref name="stream"/> until <paramref name="done"/> holds or the peer closes (FIN or reset).</summary>
    public static async Task<(string Text, bool Closed)> ReadAsync(Stream stream, Func<string, bool> done)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException)
            {
                return (text.ToString(), true);
            }
            if (read == 0) return (text.ToString(), true);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            if (done(text.ToString())) return (text.ToString(), false);
        }
    }

    public static Uri ServerUri(string path) => new($"http://{ServerAddress}:{Port}{path}");

    /// <summary>
    /// Starts the host: <paramref name="map"/> adds the endpoints, <paramref name="kestrel"/> adjusts Kestrel after the
    /// Junction endpoint (<paramref name="protocols"/>) is added, <paramref name="junction"/> the transport, <paramref name="services"/> the host's services; with
    /// <paramref name="loopback"/> it also listens on 127.0.0.1 (an ephemeral port), which Kestrel's Sockets transport serves.
    /// </summary>
    public static async Task<KestrelLab> StartAsync(Action<WebApplication> map, Action<KestrelServerOptions>? kestrel = null, Action<JunctionTransportOptions>? junction = null, HttpProtocols protocols = HttpProtocols.Http1AndHttp2, bool loopback = false, Action<IServiceCollection>? services = null)
    {
        VirtualSwitch network = VirtualSwitch.CreateRealTime();
        var clientRuntime = new JunctionRuntime(new JunctionRuntimeOptions { MaxKthreads = 1 });
        RuntimeInstance client = clientRuntime.CreateInstance(
            network.CreatePort(MacAddress.LocallyAdministered(0x902), new VirtualPortOptions { FrameCount = 8192 }),
            Quick(new NetStackOptions { Address = new Ipv4Address(10, 9, 0, 2), Seed = 2 }));

        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        services?.Invoke(builder.Services);
        builder.WebHost.UseJunction(o =>
        {
            o.Switch = network;
            o.Address = ServerAddress.ToString();
            o.ConfigureStack = static stack => Quick(stack);
            junction?.Invoke(o);
        });
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(ServerAddress, Port, listen => listen.Protocols = protocols);
            if (loopback) options.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = protocols);
            kestrel?.Invoke(options);
        });
        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new KestrelLab(network, clientRuntime, client, app);
    }

    /// <summary>Opens a raw TCP connection from the client instance to the server's port.</summary>
    public Task<JunctionConnection> ConnectAsync() => JunctionConnection.ConnectAsync(Client, new IPEndPoint(ServerAddress, Port)).WaitAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await App.StopAsync(stop.Token);
        }
        await App.DisposeAsync();
        _clientNetwork.Dispose();
        _clientRuntime.Dispose();
        Switch.Dispose();
    }

    /// <summary>Writes <paramref name="text"/> (ASCII) and flushes.</summary>
    public static async Task SendAsync(JunctionConnection connection, string text)
    {
        await connection.Output.WriteAsync(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>Reads until <paramref name="done"/> holds for the text received so far, or the peer ends the stream; returns the text.</summary>
    public static async Task<(string Text, bool Ended)> ReceiveAsync(JunctionConnection connection, Func<string, bool> done)
    {
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            ReadResult read = await connection.Input.ReadAsync(timeout.Token);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer) text.Append(Encoding.ASCII.GetString(segment.Span));
            connection.Input.AdvanceTo(read.Buffer.End);
            if (done(text.ToString())) return (text.ToString(), false);
            if (read.IsCompleted) return (text.ToString(), true);
        }
    }

    /// <summary>Short timers so that loss recovery in a test takes milliseconds (as the sockets tests do).</summary>
    private static NetStackOptions Quick(NetStackOptions options)
    {
        options.Tcp.MinRto = TimeSpan.FromMilliseconds(20);
        options.Tcp.DelayedAckTimeout = TimeSpan.FromMilliseconds(5);
        return options;
    }

    /// <summary>Counts <paramref name="needle"/> in <paramref name="text"/>.</summary>
    public static int Count(string text, string needle)
    {
        int count = 0;
        for (int at = text.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = text.IndexOf(needle, at + needle.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>Deterministic bytes: the body of /bytes/{length} and of uploads.</summary>
    public static byte[] Pattern(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

}

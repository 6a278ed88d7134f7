using System.Net;
using System.Net.Sockets;
using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Sockets;
using Junction.Stack;
using Junction.Transport.Kestrel;
using Junction.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Junction.Tests.Kestrel;

public sealed class HostingTests
{
    [Fact]
    public async Task Graceful_shutdown_completes_the_request_in_flight_and_refuses_new_connections()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using KestrelLab lab = await KestrelLab.StartAsync(app => app.MapGet("/slow", async () =>
        {
            entered.SetResult();
            await release.Task;
            return "finished";
        }));

        Task<string> inFlight = lab.Http.GetStringAsync(new Uri("slow", UriKind.Relative));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Task stopping = lab.App.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        SocketError refused = await ConnectUntilRefusedAsync(lab);
        bool stoppedBeforeRelease = stopping.IsCompleted;
        release.SetResult();

        Assert.Equal("finished", await inFlight.WaitAsync(TimeSpan.FromSeconds(30)));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SocketError.ConnectionRefused, refused);
        Assert.False(stoppedBeforeRelease);
    }

    [Fact]
    public async Task Endpoints_junction_does_not_own_are_served_by_sockets_in_the_same_host()
    {
        string unixPath = Path.Combine(Path.GetTempPath(), $"junction-kestrel-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        await using KestrelLab lab = await KestrelLab.StartAsync(
            app => app.MapGet("/who", (HttpContext context) => $"{context.Connection.LocalIpAddress}|{context.Features.Get<JunctionConnection>() is not null}"),
            kestrel => kestrel.ListenUnixSocket(unixPath),
            loopback: true);
        try
        {
            using var kernelClient = new HttpClient();
            using var unixClient = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(unixPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            });

            string overJunction = await lab.Http.GetStringAsync(new Uri("who", UriKind.Relative));
            string overLoopback = await kernelClient.GetStringAsync(new Uri($"http://127.0.0.1:{lab.LoopbackPort}/who"));
            string overUnix = await unixClient.GetStringAsync(new Uri("http://localhost/who"));

            Assert.Equal("10.9.0.1|True", overJunction);
            Assert.Equal("127.0.0.1|False", overLoopback);
            Assert.EndsWith("|False", overUnix, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(unixPath);
        }
    }

    [Theory]
    [InlineData("junction")]
    [InlineData("sockets")]
    public async Task A_client_reset_mid_body_fails_the_body_read_with_a_connection_reset(string transport)
    {
        var outcome = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using KestrelLab lab = await KestrelLab.StartAsync(app => app.MapPost("/upload", async (HttpContext context) =>
        {
            byte[] buffer = new byte[4096];
            try
            {
                reading.TrySetResult();
                while (await context.Request.Body.ReadAsync(buffer) > 0)
                {
                }
                outcome.TrySetException(new InvalidOperationException("The body ended without an error."));
            }
            catch (Exception error)
            {
                outcome.TrySetResult(error);
            }
        }), loopback: true);
        string request = "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + new string('x', 1000);

        if (transport == "junction")
        {
            JunctionConnection connection = await lab.ConnectAsync();
            await KestrelLab.SendAsync(connection, request);
            await reading.Task.WaitAsync(TimeSpan.FromSeconds(30));
            connection.Abort();
            await connection.DisposeAsync();
        }
        else
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, lab.LoopbackPort));
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(request));
            await reading.Task.WaitAsync(TimeSpan.FromSeconds(30));
            socket.LingerState = new LingerOption(true, 0); // close() then resets
            socket.Close();
        }
        Exception error = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<ConnectionResetException>(error);
    }

    [Fact]
    public async Task HttpContext_Abort_ends_the_connection_for_the_client()
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(app => app.MapGet("/abort", (HttpContext context) => context.Abort()));
        await using JunctionConnection connection = await lab.ConnectAsync();

        await KestrelLab.SendAsync(connection, "GET /abort HTTP/1.1\r\nHost: a\r\n\r\n");
        Exception? error = await Record.ExceptionAsync(() => KestrelLab.ReceiveAsync(connection, _ => false));

        // A reset (RST) where Sockets would send a FIN: either way the client gets no response.
        SocketException reset = Assert.IsType<SocketException>(error);
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
    }

    [Fact]
    public async Task On_an_instance_the_application_owns_every_frame_returns_to_the_pool_after_shutdown()
    {
        using VirtualSwitch network = VirtualSwitch.CreateRealTime();
        using var runtime = new JunctionRuntime(new JunctionRuntimeOptions { MaxKthreads = 2 });
        VirtualPort serverPort = network.CreatePort(MacAddress.LocallyAdministered(0x901), new VirtualPortOptions { FrameCount = 4096 });
        VirtualPort clientPort = network.CreatePort(MacAddress.LocallyAdministered(0x902), new VirtualPortOptions { FrameCount = 4096 });
        RuntimeInstance server = runtime.CreateInstance(serverPort, new NetStackOptions { Address = new Ipv4Address(10, 9, 0, 1), Seed = 1 });
        RuntimeInstance client = runtime.CreateInstance(clientPort, new NetStackOptions { Address = new Ipv4Address(10, 9, 0, 2), Seed = 2 });
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseJunction(o => o.Instance = server);
        builder.WebHost.ConfigureKestrel(k => k.Listen(KestrelLab.ServerAddress, 80));
        WebApplication app = builder.Build();
        app.MapPost("/echo", async (HttpContext context) => await context.Request.Body.CopyToAsync(context.Response.Body));
        await app.StartAsync();
        byte[] upload = KestrelLab.Pattern(1024 * 1024, 11);

        byte[] echoed;
        using (JunctionNetwork clientNetwork = JunctionNetwork.ForInstance(client))
        using (HttpClient http = clientNetwork.CreateHttpClient())
        {
            using HttpResponseMessage response = await http.PostAsync(new Uri("http://10.9.0.1/echo"), new ByteArrayContent(upload));
            echoed = await response.Content.ReadAsByteArrayAsync();
        }
        await app.StopAsync();
        await app.DisposeAsync();
        server.Dispose();
        client.Dispose();
        // A last segment (the client's FIN or ACK) may still sit in a port's inbound queue, never polled: disposing the
        // port gives those back, so what remains missing after it is a leak.
        serverPort.Dispose();
        clientPort.Dispose();

        Assert.Equal(upload, echoed);
        Assert.Equal(serverPort.Pool.FrameCount, serverPort.Pool.FreeCount);
        Assert.Equal(clientPort.Pool.FrameCount, clientPort.Pool.FreeCount);
    }

    [Fact]
    public void CanBind_takes_only_the_stack_address_unless_wildcards_are_asked_for()
    {
        using var own = Factory(new JunctionTransportOptions { Address = "10.9.0.1" });
        using var any = Factory(new JunctionTransportOptions { Address = "10.9.0.1", ServeAnyAddress = true });

        Assert.True(own.CanBind(new IPEndPoint(IPAddress.Parse("10.9.0.1"), 80)));
        Assert.True(own.CanBind(new IPEndPoint(IPAddress.Parse("10.9.0.1").MapToIPv6(), 80)));
        Assert.False(own.CanBind(new IPEndPoint(IPAddress.Parse("10.9.0.2"), 80)));
        Assert.False(own.CanBind(new IPEndPoint(IPAddress.Loopback, 80)));
        Assert.False(own.CanBind(new IPEndPoint(IPAddress.Any, 80)));
        Assert.False(own.CanBind(new IPEndPoint(IPAddress.IPv6Any, 80)));
        Assert.False(own.CanBind(new UnixDomainSocketEndPoint("/tmp/x.sock")));
        Assert.False(own.CanBind(new DnsEndPoint("localhost", 80)));
        Assert.True(any.CanBind(new IPEndPoint(IPAddress.Any, 80)));
        Assert.True(any.CanBind(new IPEndPoint(IPAddress.IPv6Any, 80)));
        Assert.False(any.CanBind(new IPEndPoint(IPAddress.Loopback, 80)));
    }

    [Fact]
    public async Task Binding_a_taken_port_fails_with_AddressInUseException_and_unbinding_ends_accepts()
    {
        using VirtualSwitch network = VirtualSwitch.CreateRealTime();
        await using JunctionTransportFactory factory = Factory(new JunctionTransportOptions { Address = "10.9.0.1", Switch = network });
        var endpoint = new IPEndPoint(IPAddress.Parse("10.9.0.1"), 8080);

        IConnectionListener listener = await factory.BindAsync(endpoint);
        await Assert.ThrowsAsync<AddressInUseException>(async () => await factory.BindAsync(endpoint));
        ValueTask<ConnectionContext?> accept = listener.AcceptAsync();
        await listener.UnbindAsync();
        ConnectionContext? accepted = await accept.AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await listener.DisposeAsync();
        IConnectionListener again = await factory.BindAsync(endpoint);
        await again.DisposeAsync();

        Assert.Null(accepted);
        Assert.Equal(endpoint, listener.EndPoint);
    }

    [Fact]
    public void UseJunction_binds_options_from_the_Junction_section_and_registers_after_sockets()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Junction:Device"] = "Xdp",
            ["Junction:Address"] = "10.1.2.3",
            ["Junction:PrefixLength"] = "16",
            ["Junction:Gateway"] = "10.1.0.1",
            ["Junction:MacAddress"] = "02:00:00:00:00:07",
            ["Junction:Xdp:InterfaceName"] = "veth0",
            ["Junction:Xdp:QueueId"] = "3",
            ["Junction:MaxKthreads"] = "4",
            ["Junction:MaxReadBufferSize"] = "65536",
            ["Junction:MaxWriteBufferSize"] = "131072",
            ["Junction:Backlog"] = "64",
            ["Junction:ServeAnyAddress"] = "true",
        });
        builder.WebHost.UseJunction(o => o.MinKthreads = 2);
        using WebApplication app = builder.Build();

        JunctionTransportOptions options = app.Services.GetRequiredService<IOptions<JunctionTransportOptions>>().Value;
        IConnectionListenerFactory[] factories = [.. app.Services.GetServices<IConnectionListenerFactory>()];

        Assert.Equal(JunctionDevice.Xdp, options.Device);
        Assert.Equal("10.1.2.3", options.Address);
        Assert.Equal(16, options.PrefixLength);
        Assert.Equal("10.1.0.1", options.Gateway);
        Assert.Equal("02:00:00:00:00:07", options.MacAddress);
        Assert.Equal("veth0", options.Xdp.InterfaceName);
        Assert.Equal(3, options.Xdp.QueueId);
        Assert.Equal(2, options.MinKthreads);
        Assert.Equal(4, options.MaxKthreads);
        Assert.Equal(65536, options.MaxReadBufferSize);
        Assert.Equal(131072, options.MaxWriteBufferSize);
        Assert.Equal(64, options.Backlog);
        Assert.True(options.ServeAnyAddress);
        // Kestrel tries the factory registered last first: Junction, then Sockets.
        Assert.True(factories.Length >= 2);
        Assert.IsType<JunctionTransportFactory>(factories[^1]);
        Assert.DoesNotContain(factories[..^1], f => f is JunctionTransportFactory);
    }

    private static JunctionTransportFactory Factory(JunctionTransportOptions options) =>
        new(Options.Create(options), NullLoggerFactory.Instance);

    /// <summary>Connects until the server refuses (its listener is gone); connections made before that are dropped.</summary>
    private static async Task<SocketError> ConnectUntilRefusedAsync(KestrelLab lab)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                JunctionConnection connection = await lab.ConnectAsync();
                connection.Abort();
                await connection.DisposeAsync();
            }
            catch (SocketException error)
            {
                return error.SocketErrorCode;
            }
            await Task.Delay(25);
        }
        return SocketError.Success;
    }
}

// HelloJunction: a minimal API app on Junction's user-space TCP/IP stack with one line, builder.WebHost.UseJunction().
//
// Endpoints on the Junction address (appsettings.json "Junction:Address", 10.0.0.1) are served by Junction; the others
// (here 127.0.0.1:5080) stay on Kestrel's Sockets transport.
//
//   dotnet run --project samples/HelloJunction
//     In-process: the stack sits on a virtual switch; the sample plugs a client stack into the same switch and
//     fetches its own pages over Junction, then keeps serving (curl http://127.0.0.1:5080/ reaches the Sockets side).
//
//   sudo dotnet run --project samples/HelloJunction -- --Junction:Device=Xdp --Junction:Xdp:InterfaceName=veth-j \
//        --Junction:Address=10.0.0.1 --Urls=http://10.0.0.1:8080
//     AF_XDP: frames to 10.0.0.1 on veth-j bypass the kernel; from the peer: curl http://10.0.0.1:8080/plaintext
using System.Net;
using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Sockets;
using Junction.Stack;
using Junction.Transport.Kestrel;
using Junction.Wire;
using Microsoft.AspNetCore.Connections.Features;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
bool inProcess = !string.Equals(builder.Configuration["Junction:Device"], nameof(JunctionDevice.Xdp), StringComparison.OrdinalIgnoreCase);
using VirtualSwitch? network = inProcess ? VirtualSwitch.CreateRealTime() : null;

builder.WebHost.UseJunction(options => options.Switch = network);

WebApplication app = builder.Build();
app.UseWebSockets();
app.MapGet("/", () => "Hello from Junction!\n");
app.MapGet("/plaintext", () => Results.Text("Hello, World!", "text/plain"));
app.MapGet("/whoami", (HttpContext context) => new
{
    context.Connection.Id,
    Local = context.Connection.LocalIpAddress?.ToString(),
    Remote = context.Connection.RemoteIpAddress?.ToString(),
    context.Request.Protocol,
    Transport = context.Features.Get<JunctionConnection>() is null ? "sockets" : "junction",
    Memory = context.Features.Get<IMemoryPoolFeature>()?.MemoryPool.GetType().Name,
});

await app.StartAsync();

if (network is not null)
{
    // A second stack on the same switch plays the client: HttpClient over Junction, no kernel socket.
    var server = IPAddress.Parse(builder.Configuration["Junction:Address"] ?? "10.0.0.1");
    byte[] octets = server.GetAddressBytes();
    octets[3] = (byte)(octets[3] == 2 ? 3 : 2);
    using var runtime = new JunctionRuntime(new JunctionRuntimeOptions { MaxKthreads = 1 });
    RuntimeInstance client = runtime.CreateInstance(
        network.CreatePort(MacAddress.LocallyAdministered(0xC11E47)),
        new NetStackOptions { Address = Ipv4Address.FromIPAddress(new IPAddress(octets)) });
    using JunctionNetwork clientNetwork = JunctionNetwork.ForInstance(client);
    using HttpClient http = clientNetwork.CreateHttpClient();
    int port = new Uri(app.Urls.First(u => u.Contains(server.ToString(), StringComparison.Ordinal))).Port;
    Console.WriteLine($"GET http://{server}:{port}/        -> {await http.GetStringAsync(new Uri($"http://{server}:{port}/"))}");
    Console.WriteLine($"GET http://{server}:{port}/whoami  -> {await http.GetStringAsync(new Uri($"http://{server}:{port}/whoami"))}");
}

Console.WriteLine($"Serving on {string.Join(", ", app.Urls)}; Ctrl+C stops.");
await app.WaitForShutdownAsync();

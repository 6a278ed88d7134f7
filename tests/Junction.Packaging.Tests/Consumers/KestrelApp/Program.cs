// A fresh ASP.NET Core app whose only reference is the Junction.Transport.Kestrel package: one line, UseJunction().
//
// With appsettings.json as it is, Junction serves 10.0.0.1:8080 on an in-process virtual switch; the app plugs a client
// stack into the same switch, prints what GET / answers over Junction, and exits.
// With --Junction:Device=Xdp (and the interface, namespace, address and URL on the command line) it serves over AF_XDP
// until its standard input closes.
using System.Net;
using Junction.Devices.Memory;
using Junction.Sockets;
using Junction.Transport.Kestrel;
using Junction.Wire;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
bool inProcess = builder.Configuration.GetValue<JunctionDevice>("Junction:Device") == JunctionDevice.VirtualSwitch;
using VirtualSwitch? network = inProcess ? VirtualSwitch.CreateRealTime() : null;

builder.WebHost.UseJunction(options => options.Switch = network);

WebApplication app = builder.Build();
app.MapGet("/", () => "Hello from a package reference!");
await app.StartAsync();
Console.WriteLine($"listening on {string.Join(", ", app.Urls)}");

if (network is not null)
{
    using JunctionNetwork client = JunctionNetwork.Create(network.CreatePort(MacAddress.LocallyAdministered(0xC11E47)), IPAddress.Parse("10.0.0.2"));
    using HttpClient http = client.CreateHttpClient();
    Console.WriteLine($"answer: {await http.GetStringAsync(new Uri(app.Urls.First() + "/"))}");
}
else
{
    await Console.In.ReadToEndAsync();
}

await app.StopAsync();

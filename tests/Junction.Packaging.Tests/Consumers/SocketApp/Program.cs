// A fresh console app whose only reference is the Junction.Core package: a TCP echo between two Junction stacks on an
// in-process virtual switch, through JunctionSocket (shaped like System.Net.Sockets.Socket).
using System.Net;
using System.Net.Sockets;
using System.Text;
using Junction.Devices.Memory;
using Junction.Sockets;
using Junction.Wire;

string message = args.Length > 0 ? args[0] : "hello";
var serverAddress = IPAddress.Parse("10.0.0.1");

using VirtualSwitch network = VirtualSwitch.CreateRealTime();
using JunctionNetwork server = JunctionNetwork.Create(network.CreatePort(MacAddress.LocallyAdministered(1)), serverAddress);
using JunctionNetwork client = JunctionNetwork.Create(network.CreatePort(MacAddress.LocallyAdministered(2)), IPAddress.Parse("10.0.0.2"));

using JunctionSocket listener = server.CreateSocket(SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(serverAddress, 7));
listener.Listen();
Task echo = EchoOneAsync(listener);

using JunctionSocket socket = client.CreateSocket(SocketType.Stream, ProtocolType.Tcp);
await socket.ConnectAsync(new IPEndPoint(serverAddress, 7));
await socket.SendAsync(Encoding.UTF8.GetBytes(message).AsMemory());
socket.Shutdown(SocketShutdown.Send);
string reply = Encoding.UTF8.GetString(await ReadToEndAsync(socket));
await echo;
Console.WriteLine($"echo: {reply}");

static async Task EchoOneAsync(JunctionSocket listener)
{
    using JunctionSocket accepted = await listener.AcceptAsync();
    byte[] buffer = new byte[4096];
    int read;
    while ((read = await accepted.ReceiveAsync(buffer.AsMemory())) > 0)
    {
        await accepted.SendAsync(buffer.AsMemory(0, read));
    }
    accepted.Shutdown(SocketShutdown.Send);
}

static async Task<byte[]> ReadToEndAsync(JunctionSocket socket)
{
    using var received = new MemoryStream();
    byte[] buffer = new byte[4096];
    int read;
    while ((read = await socket.ReceiveAsync(buffer.AsMemory())) > 0)
    {
        received.Write(buffer, 0, read);
    }
    return received.ToArray();
}

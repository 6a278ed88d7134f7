// A fresh console app whose only reference is the Junction.Core package: an unmodified python3 listens on a Junction
// stack (its socket calls answered through the package's native launcher, junction-launch) and a JunctionSocket client
// on another stack of the same in-process virtual switch connects to it.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Junction.Compat;
using Junction.Devices.Memory;
using Junction.Sockets;
using Junction.Wire;

var serverAddress = IPAddress.Parse("10.0.0.1");
using VirtualSwitch network = VirtualSwitch.CreateRealTime();
using JunctionNetwork server = JunctionNetwork.Create(network.CreatePort(MacAddress.LocallyAdministered(1)), serverAddress);
using JunctionNetwork client = JunctionNetwork.Create(network.CreatePort(MacAddress.LocallyAdministered(2)), IPAddress.Parse("10.0.0.2"));

const string Script = "import socket\n" +
    "s = socket.socket()\n" +
    "s.bind(('0.0.0.0', 8080))\n" +
    "s.listen()\n" +
    "c, peer = s.accept()\n" +
    "c.sendall(('hello from python to ' + peer[0]).encode())\n" +
    "c.close()\n";
await using JunctionProcess python = JunctionProcess.Start(new ProcessStartInfo("python3", ["-c", Script]), server.Instance);

// The program listens once it has run that far: until then the stack refuses the connection.
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
string reply;
while (true)
{
    using JunctionSocket socket = client.CreateSocket(SocketType.Stream, ProtocolType.Tcp);
    try
    {
        await socket.ConnectAsync(new IPEndPoint(serverAddress, 8080), deadline.Token);
    }
    catch (SocketException refused) when (refused.SocketErrorCode == SocketError.ConnectionRefused)
    {
        await Task.Delay(50, deadline.Token);
        continue;
    }
    using var received = new MemoryStream();
    byte[] buffer = new byte[256];
    int read;
    while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, deadline.Token)) > 0) received.Write(buffer, 0, read);
    reply = Encoding.UTF8.GetString(received.ToArray());
    break;
}
await python.WaitForExitAsync(deadline.Token);
Console.WriteLine($"reply: {reply}");
Console.WriteLine($"python exited {python.Process.ExitCode}; sockets created {python.Statistics.SocketsCreated}, accepted {python.Statistics.ConnectionsAccepted}");

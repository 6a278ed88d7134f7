using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Junction.Lab;

namespace Junction.Interop.Tests.Tcp;

/// <summary><c>python3 -m http.server</c> in the lab's client namespace, speaking HTTP/1.1.</summary>
internal static class PythonHttpServer
{
    public static LabProcess Start(JunctionInstance junction, ushort port, string directory)
    {
        string address = junction.LinuxAddress.ToString();
        LabProcess process = junction.Lab.StartProcess(LabSide.Client, "python3", "-m", "http.server", port.ToString(CultureInfo.InvariantCulture),
            "--bind", address, "--directory", directory, "--protocol", "HTTP/1.1");
        // Ready once it accepts a connection.
        var endpoint = new IPEndPoint(junction.LinuxAddress.ToIPAddress(), port);
        long deadline = Environment.TickCount64 + 20_000;
        while (true)
        {
            using Socket probe = LinuxSockets.NewTcp(junction);
            try
            {
                probe.Connect(endpoint);
                return process;
            }
            catch (SocketException) when (Environment.TickCount64 < deadline && !process.HasExited)
            {
                Thread.Sleep(50);
            }
            catch (SocketException e)
            {
                Assert.Fail($"python3 -m http.server did not start ({e.SocketErrorCode}): {process.StandardOutput}{process.StandardError}");
            }
        }
    }
}

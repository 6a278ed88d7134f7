using System.Net;
using System.Net.Sockets;
using Junction.Compat;
using Junction.Interop.Tests.Tcp;

namespace Junction.Interop.Tests.Compat;

/// <summary>UDP sockets of a Python program on Junction's stack: sendto/recvfrom with addresses, and a connected socket's send/recv.</summary>
[Collection(KernelInterop.Name)]
public sealed class UdpTests
{
    private static readonly TimeSpan s_hang = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Python_udp_server_under_junction_echoes_datagrams_to_their_linux_senders()
    {
        await using CompatLab lab = CompatLab.Start();
        JunctionProcess server = lab.Run("python3", CompatPrograms.Source("udp_echo.py"), "server", "0.0.0.0", "9300");
        using Socket linux = lab.Junction.OnLinux(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        linux.Bind(new IPEndPoint(lab.Lab.ClientAddress.ToIPAddress(), 0));
        var target = new IPEndPoint(lab.Junction.Address.ToIPAddress(), 9300);
        byte[] buffer = new byte[2048];
        using var deadline = new CancellationTokenSource(s_hang);

        for (int i = 0; i < 20; i++)
        {
            byte[] datagram = LinuxSockets.SeededBytes(1 + (i * 71 % 1400), i);
            SocketReceiveFromResult echo = await SendUntilEchoedAsync(linux, datagram, target, buffer, deadline.Token);
            Assert.True(buffer.AsSpan(0, echo.ReceivedBytes).SequenceEqual(datagram), $"datagram {i} came back different ({echo.ReceivedBytes} of {datagram.Length} bytes)");
            Assert.Equal(target, echo.RemoteEndPoint);
        }
        Assert.True(server.Statistics.EmulatedCalls >= 40, server.Statistics.ToString());
    }

    [Fact]
    public async Task Python_udp_client_under_junction_gets_echoes_from_a_linux_server_with_sendto_recvfrom_and_connect()
    {
        await using CompatLab lab = CompatLab.Start();
        using Socket linux = lab.Junction.OnLinux(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        linux.Bind(new IPEndPoint(lab.Lab.ClientAddress.ToIPAddress(), 9301));
        using var stop = new CancellationTokenSource(s_hang);
        Task echo = Task.Run(async () =>
        {
            byte[] buffer = new byte[65536];
            while (!stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received = await linux.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                await linux.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, received.RemoteEndPoint, stop.Token);
            }
        });

        JunctionProcess client = lab.Run("python3", CompatPrograms.Source("udp_echo.py"), "client", lab.LinuxAddress, "9301", "30");
        await client.WaitForExitAsync().WaitAsync(s_hang);
        await stop.CancelAsync();

        Assert.True(client.Process.ExitCode == 0, $"the client failed ({client.Process.ExitCode}): {lab.OutputOf(client)}");
        Assert.Contains("done 30", lab.OutputOf(client), StringComparison.Ordinal);
        Assert.Equal(0, client.OpenSockets);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => echo);
    }

    /// <summary>The first datagram may meet an ARP exchange (or the server still starting): resend until the echo comes.</summary>
    private static async Task<SocketReceiveFromResult> SendUntilEchoedAsync(Socket socket, byte[] datagram, IPEndPoint target, byte[] buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            await socket.SendToAsync(datagram, SocketFlags.None, target, cancellationToken);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                return await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), attempt.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Lost or not served yet: send again.
            }
        }
    }
}

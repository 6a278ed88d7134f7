using System.Net;
using System.Net.Sockets;
using Junction.Interop.Tests.Tcp;
using Junction.Runtime;
using Junction.Sockets;

namespace Junction.Interop.Tests.Runtime;

/// <summary>The runtime scheduling an instance on AF_XDP: Linux clients in the lab's client namespace, kthreads that park on the XSK descriptor.</summary>
[Collection(KernelInterop.Name)]
public sealed class RuntimeOverXdpTests
{
    private const int Length = 1 << 20;

    [Fact]
    public async Task Instance_on_af_xdp_echoes_for_linux_clients_parks_when_idle_and_wakes_for_the_next_connection()
    {
        using RuntimeXdpInstance junction = RuntimeXdpInstance.Start();
        RuntimeInstance instance = junction.Instance;
        using JunctionListener listener = JunctionListener.Listen(instance, 7);
        var server = new PipeEchoServer(listener);
        // The accept loop and the echoes are uthreads of the instance: parking must not wait for them.
        Task serving = Task.Factory.StartNew(server.RunAsync, CancellationToken.None, TaskCreationOptions.None, instance.TaskScheduler).Unwrap();
        var endpoint = new IPEndPoint(junction.Address.ToIPAddress(), 7);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        Assert.True(RuntimeXdpInstance.Eventually(() => instance.IsIdle && instance.KthreadCount == 0), "the new instance never parked");
        long parksBefore = instance.Statistics.Parks;
        long activationsBefore = instance.Statistics.Activations;

        for (int round = 1; round <= 2; round++)
        {
            byte[] data = LinuxSockets.SeededBytes(Length, round);
            using Socket socket = junction.OnLinux(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            byte[] echo = await LinuxSockets.EchoAsync(socket, endpoint, data, deadline.Token);

            Assert.True(data.AsSpan().SequenceEqual(echo), $"round {round}: the echo differs from what was sent ({echo.Length} of {data.Length} bytes came back)");
            Assert.True(RuntimeXdpInstance.Eventually(() => server.Finished == round), $"round {round}: the server did not finish the connection (failure: {server.Failure})");
            Assert.True(RuntimeXdpInstance.Eventually(() => instance.IsIdle && instance.KthreadCount == 0), $"round {round}: the instance did not park after the connection closed");
            Assert.True(instance.Statistics.Activations >= activationsBefore + round, $"round {round}: the connection did not wake the instance ({instance.Statistics.Activations} activations)");
            Assert.True(instance.Statistics.Parks >= parksBefore + round, $"round {round}: the instance did not park again ({instance.Statistics.Parks} parks)");
        }

        Assert.Null(server.Failure);
        Assert.Equal(2, server.Accepted);
        Assert.Equal(2L * Length, server.BytesEchoed);
        listener.Dispose();
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Junction.Sockets;

namespace Junction.Tests.Sockets;

public sealed class JunctionConnectionTests
{
    [Fact]
    public void Echo_round_trip_through_the_pipes_and_fin_completes_the_peer_input()
    {
        using var lab = new SocketLab();
        using JunctionListener listener = JunctionListener.Listen(lab.Server, 8080);
        Task<JunctionConnection> accepted = listener.AcceptAsync().AsTask();
        JunctionConnection client = SocketLab.Await(JunctionConnection.ConnectAsync(lab.Client, new IPEndPoint(lab.ServerAddress, 8080)));
        JunctionConnection server = SocketLab.Await(accepted);
        Assert.Equal(new IPEndPoint(lab.ClientAddress, client.LocalEndPoint.Port), server.RemoteEndPoint);

        Task echo = Task.Run(async () =>
        {
            while (true)
            {
                ReadResult read = await server.Input.ReadAsync();
                foreach (ReadOnlyMemory<byte> piece in read.Buffer) await server.Output.WriteAsync(piece);
                server.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted) break;
            }
            await server.Output.CompleteAsync();
        });

        byte[] message = new byte[100_000];
        new Random(5).NextBytes(message);
        SocketLab.Await(client.Output.WriteAsync(message).AsTask());
        client.Output.Complete();
        byte[] received = SocketLab.Await(ReadToEndAsync(client.Input));
        SocketLab.Await(echo);
        Assert.Equal(message, received);
        client.Dispose();
        server.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_read_awaited_on_the_thread_pool_resumes_on_the_instance_only_when_asked_to(bool resumeOnRuntime)
    {
        using var lab = new SocketLab();
        using JunctionListener listener = JunctionListener.Listen(lab.Server, 8081, options: new JunctionConnectionOptions { ResumeOnRuntime = resumeOnRuntime });
        Task<JunctionConnection> accepted = listener.AcceptAsync().AsTask();
        using JunctionConnection client = SocketLab.Await(JunctionConnection.ConnectAsync(lab.Client, new IPEndPoint(lab.ServerAddress, 8081)));
        using JunctionConnection server = SocketLab.Await(accepted);

        // The test thread is no uthread: the read waits (nothing was sent), and its continuation is registered from here.
        ValueTask<ReadResult> pending = server.Input.ReadAsync();
        Assert.False(pending.IsCompleted);
        Task<Junction.Runtime.RuntimeInstance?> read = ResumedOnAsync(pending, server.Input);
        SocketLab.Await(client.Output.WriteAsync("x"u8.ToArray()).AsTask());

        Junction.Runtime.RuntimeInstance? resumedOn = SocketLab.Await(read);
        Assert.Same(resumeOnRuntime ? lab.Server : null, resumedOn);
    }

    [Fact]
    public void ReceiveEnded_fires_on_the_peers_fin_while_the_connection_stays_open_for_sending()
    {
        using var lab = new SocketLab();
        using JunctionListener listener = JunctionListener.Listen(lab.Server, 8082);
        Task<JunctionConnection> accepted = listener.AcceptAsync().AsTask();
        using JunctionConnection client = SocketLab.Await(JunctionConnection.ConnectAsync(lab.Client, new IPEndPoint(lab.ServerAddress, 8082)));
        using JunctionConnection server = SocketLab.Await(accepted);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ReceiveEnded.Register(() => ended.TrySetResult());
        Assert.False(server.ReceiveEnded.IsCancellationRequested);

        client.Output.Complete(); // FIN

        SocketLab.Await(ended.Task);
        Assert.False(server.ConnectionClosed.IsCancellationRequested); // half-closed: the server may still answer
        SocketLab.Await(server.Output.WriteAsync("late"u8.ToArray()).AsTask());
        server.Output.Complete();
        Assert.Equal("late"u8.ToArray(), SocketLab.Await(ReadToEndAsync(client.Input)));
    }

    private static async Task<Junction.Runtime.RuntimeInstance?> ResumedOnAsync(ValueTask<ReadResult> pending, PipeReader reader)
    {
        ReadResult result = await pending.ConfigureAwait(false);
        reader.AdvanceTo(result.Buffer.End);
        return Junction.Runtime.RuntimeInstance.Current;
    }

    [Fact]
    public void Connect_to_a_port_nobody_listens_on_fails_with_connection_refused()
    {
        using var lab = new SocketLab();
        var error = Assert.Throws<AggregateException>(() => JunctionConnection.ConnectAsync(lab.Client, new IPEndPoint(lab.ServerAddress, 9)).Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
    }

    internal static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        var output = new MemoryStream();
        while (true)
        {
            ReadResult read = await reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> piece in read.Buffer) output.Write(piece.Span);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) return output.ToArray();
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Junction.Sockets;

namespace Junction.Tests.Sockets;

public sealed class HttpClientOverJunctionTests
{
    [Fact]
    public void HttpClient_fetches_from_an_http_server_on_another_junction_instance_reusing_the_connection()
    {
        using var lab = new SocketLab();
        using JunctionListener listener = JunctionListener.Listen(lab.Server, 80);
        using var cts = new CancellationTokenSource();
        Task server = Task.Run(() => ServeAsync(listener, cts.Token));
        using var network = JunctionNetwork.ForInstance(lab.Client);
        using HttpClient client = network.CreateHttpClient();

        for (int i = 0; i < 3; i++)
        {
            string body = SocketLab.Await(client.GetStringAsync(new Uri($"http://{lab.ServerAddress}/hello/{i}")));
            Assert.Equal($"hello from junction: GET /hello/{i}", body);
        }
        byte[] large = SocketLab.Await(client.GetByteArrayAsync(new Uri($"http://{lab.ServerAddress}/large")));
        Assert.Equal(1 << 20, large.Length);
        Assert.All(large, b => Assert.Equal((byte)'x', b));
        Assert.Equal(1, Volatile.Read(ref s_connections)); // keep-alive: one connection served every request
        cts.Cancel();
    }

    private static int s_connections;

    /// <summary>A minimal HTTP/1.1 server over the pipe API: keep-alive, GET only, Content-Length bodies.</summary>
    private static async Task ServeAsync(JunctionListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            JunctionConnection connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Increment(ref s_connections);
            _ = Task.Run(() => ServeConnectionAsync(connection), CancellationToken.None);
        }
    }

    private static async Task ServeConnectionAsync(JunctionConnection connection)
    {
        await using (connection)
        {
            while (true)
            {
                ReadResult read = await connection.Input.ReadAsync();
                ReadOnlySequence<byte> buffer = read.Buffer;
                SequencePosition? end = FindHeaderEnd(buffer);
                if (end is null)
                {
                    connection.Input.AdvanceTo(buffer.Start, buffer.End);
                    if (read.IsCompleted) return;
                    continue;
                }
                string head = Encoding.ASCII.GetString(buffer.Slice(0, end.Value));
                connection.Input.AdvanceTo(end.Value);
                string requestLine = head[..head.IndexOf('\r', StringComparison.Ordinal)];
                string path = requestLine.Split(' ')[1];
                byte[] body = path == "/large" ? Enumerable.Repeat((byte)'x', 1 << 20).ToArray() : Encoding.ASCII.GetBytes($"hello from junction: GET {path}");
                string headers = $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nContent-Type: text/plain\r\n\r\n";
                await connection.Output.WriteAsync(Encoding.ASCII.GetBytes(headers));
                await connection.Output.WriteAsync(body);
            }
        }
    }

    private static SequencePosition? FindHeaderEnd(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8, advancePastDelimiter: true) ? reader.Position : null;
    }
}

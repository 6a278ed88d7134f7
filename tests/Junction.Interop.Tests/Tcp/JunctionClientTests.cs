using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Junction.Interop.Tests.Tcp;

/// <summary>A Junction TCP client against Linux servers (python3 -m http.server, System.Net.Sockets) in the client namespace.</summary>
[Collection(KernelInterop.Name)]
public sealed class JunctionClientTests
{
    private const long OneGiB = 1L << 30;
    private const long StreamLength = 256L << 20;

    [Fact]
    public void Junction_fetches_one_gibibyte_over_http_from_python_http_server_on_linux_and_the_sha256_matches()
    {
        using JunctionInstance junction = JunctionInstance.Start();
        using var files = new TemporaryDirectory();
        string expected = new PatternStream(0x5EED1).WriteFile(Path.Combine(files.Path, "1g"), OneGiB);
        PythonHttpServer.Start(junction, 8000, files.Path);

        HttpGetClient client = junction.Invoke(() => new HttpGetClient(
            junction.Stack.TcpConnect(junction.LinuxAddress, 8000), $"{junction.LinuxAddress}:8000", "/1g"));

        Assert.True(junction.WaitUntil(() => client.IsDone, TimeSpan.FromMinutes(2)), $"received {junction.Invoke(() => client.BodyReceived)} body bytes so far");
        Assert.Null(junction.Invoke(() => client.Failure));
        Assert.Equal("HTTP/1.1 200 OK", junction.Invoke(() => client.StatusLine));
        Assert.Equal(OneGiB, junction.Invoke(() => client.ContentLength));
        Assert.Equal(expected, junction.Invoke(() => client.BodySha256));
    }

    [Fact]
    public async Task Junction_client_uploads_to_a_linux_socket_server_which_reads_it_to_the_end_and_replies()
    {
        using JunctionInstance junction = JunctionInstance.Start();
        var upload = new PatternStream(0xAB);
        using var server = new LinuxTcpServer(junction, 5001, async (socket, cancellation) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }
            string summary = string.Create(CultureInfo.InvariantCulture, $"{total} {Convert.ToHexStringLower(hash.GetHashAndReset())}");
            await LinuxSockets.SendAllAndShutdownAsync(socket, Encoding.ASCII.GetBytes(summary), cancellation);
        });

        StreamClient client = junction.Invoke(() => new StreamClient(junction.Stack.TcpConnect(junction.LinuxAddress, 5001), upload, StreamLength));

        Assert.True(junction.WaitUntil(() => client.IsDone, TimeSpan.FromMinutes(1)), $"sent {junction.Invoke(() => client.Sent)} bytes so far");
        Assert.Null(junction.Invoke(() => client.Failure));
        await server.Completion;
        Assert.Equal($"{StreamLength} {upload.Sha256(StreamLength)}", Encoding.ASCII.GetString(junction.Invoke(() => client.ReceivedStart)));
    }

    [Fact]
    public async Task Parallel_uploads_whose_send_buffers_together_outgrow_the_umem_all_finish()
    {
        // Six 4 MiB send buffers want ~17,000 frames of a 16,384-frame UMEM: unacknowledged data held in frames must
        // not starve the fill ring, or the ACKs that free those frames would be dropped and every upload would stall.
        const int Clients = 6;
        const long Length = 32L << 20;
        using JunctionInstance junction = JunctionInstance.Start();
        var upload = new PatternStream(0xA6);
        using var server = new LinuxTcpServer(junction, 5003, async (socket, cancellation) =>
        {
            long received = await LinuxSockets.CountToEndAsync(socket, cancellation);
            byte[] summary = Encoding.ASCII.GetBytes(received.ToString(CultureInfo.InvariantCulture));
            await LinuxSockets.SendAllAndShutdownAsync(socket, summary, cancellation);
        });

        StreamClient[] clients = junction.Invoke(() => Enumerable.Range(0, Clients)
            .Select(_ => new StreamClient(junction.Stack.TcpConnect(junction.LinuxAddress, 5003), upload, Length)).ToArray());

        Assert.True(junction.WaitUntil(() => clients.All(c => c.IsDone), TimeSpan.FromMinutes(1)),
            $"sent {string.Join(", ", junction.Invoke(() => clients.Select(c => c.Sent).ToArray()))} bytes so far");
        await server.Completion;
        foreach (StreamClient client in clients)
        {
            Assert.Null(junction.Invoke(() => client.Failure));
            Assert.Equal(Length.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(junction.Invoke(() => client.ReceivedStart)));
        }
    }

    [Fact]
    public async Task Junction_client_downloads_from_a_linux_socket_server_to_the_end_of_stream()
    {
        using JunctionInstance junction = JunctionInstance.Start();
        var download = new PatternStream(0xCD);
        using var server = new LinuxTcpServer(junction, 5002, async (socket, cancellation) =>
        {
            byte[] chunk = new byte[64 * 1024];
            for (long offset = 0; offset < StreamLength; offset += chunk.Length)
            {
                download.Fill(offset, chunk);
                await socket.SendAsync(chunk, SocketFlags.None, cancellation);
            }
            socket.Shutdown(SocketShutdown.Send);
            Assert.Empty(await LinuxSockets.ReadToEndAsync(socket, cancellation));
        });

        StreamClient client = junction.Invoke(() => new StreamClient(junction.Stack.TcpConnect(junction.LinuxAddress, 5002), download, 0));

        Assert.True(junction.WaitUntil(() => client.IsDone, TimeSpan.FromMinutes(1)), $"received {junction.Invoke(() => client.Received)} bytes so far");
        Assert.Null(junction.Invoke(() => client.Failure));
        await server.Completion;
        Assert.Equal(StreamLength, junction.Invoke(() => client.Received));
        Assert.Equal(download.Sha256(StreamLength), junction.Invoke(() => client.ReceivedSha256));
    }

    [Fact]
    public async Task Junction_client_streams_through_a_linux_socket_echo_server_both_ways_at_once()
    {
        const long Length = 64L << 20;
        using JunctionInstance junction = JunctionInstance.Start();
        var data = new PatternStream(0xEF);
        using var server = new LinuxTcpServer(junction, 7, async (socket, cancellation) =>
        {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellation);
            }
            socket.Shutdown(SocketShutdown.Send);
        });

        StreamClient client = junction.Invoke(() => new StreamClient(junction.Stack.TcpConnect(junction.LinuxAddress, 7), data, Length));

        Assert.True(junction.WaitUntil(() => client.IsDone, TimeSpan.FromMinutes(1)), $"sent {junction.Invoke(() => client.Sent)}, received {junction.Invoke(() => client.Received)} bytes so far");
        Assert.Null(junction.Invoke(() => client.Failure));
        await server.Completion;
        Assert.Equal(Length, junction.Invoke(() => client.Received));
        Assert.Equal(data.Sha256(Length), junction.Invoke(() => client.ReceivedSha256));
    }
}

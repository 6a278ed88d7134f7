using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Junction.Stack.Tcp;

namespace Junction.Interop.Tests.Tcp;

/// <summary>Linux clients (curl, System.Net.Sockets in the client namespace) against a Junction TCP server.</summary>
[Collection(KernelInterop.Name)]
public sealed class JunctionServerTests
{
    private const long OneGiB = 1L << 30;

    private static CancellationTokenSource Deadline() => new(TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Curl_fetches_one_gibibyte_from_a_junction_http_server_and_the_sha256_matches()
    {
        using JunctionInstance junction = JunctionInstance.Start();
        var content = new PatternStream(0x1A2B3C);
        Task<string> expected = Task.Run(() => content.Sha256(OneGiB));
        HttpFileServer server = junction.Invoke(() => new HttpFileServer(junction.Stack.TcpListen(80), "/1g", OneGiB, content));

        string url = string.Create(CultureInfo.InvariantCulture, $"http://{junction.Address}/1g");
        (int exitCode, string output) = junction.RunOnLinux(TimeSpan.FromMinutes(2), "bash", "-o", "pipefail", "-c", $"curl -sS --fail {url} | sha256sum");

        Assert.True(exitCode == 0, output);
        Assert.Equal(await expected + "  -", output.Trim());
        Assert.Equal(["GET /1g HTTP/1.1"], junction.Invoke(() => server.Requests.ToArray()));
        Assert.Equal(1, junction.Invoke(() => server.Completed));
    }

    [Fact]
    public async Task Linux_socket_clients_exchange_megabytes_both_ways_with_a_junction_echo_server()
    {
        const int Clients = 4;
        const int Length = 16 << 20;
        using JunctionInstance junction = JunctionInstance.Start();
        EchoServer server = junction.Invoke(() => new EchoServer(junction.Stack.TcpListen(7)));
        var endpoint = new IPEndPoint(junction.Address.ToIPAddress(), 7);
        Socket[] sockets = LinuxSockets.NewTcp(junction, Clients);
        byte[][] data = [.. Enumerable.Range(0, Clients).Select(i => LinuxSockets.SeededBytes(Length, i))];

        using CancellationTokenSource deadline = Deadline();
        byte[][] echoes = await Task.WhenAll(sockets.Select((s, i) => LinuxSockets.EchoAsync(s, endpoint, data[i], deadline.Token)));

        for (int i = 0; i < Clients; i++)
        {
            Assert.Equal(Length, echoes[i].Length);
            Assert.True(data[i].AsSpan().SequenceEqual(echoes[i]), $"client {i}: the echo differs from what was sent");
            sockets[i].Dispose();
        }
        Assert.True(junction.WaitUntil(() => server.Finished == Clients));
        Assert.Equal((long)Clients * Length, junction.Invoke(() => server.BytesEchoed));
    }

    [Fact]
    public async Task A_thousand_concurrent_linux_connections_each_echo_8_kib_through_a_junction_server()
    {
        const int Connections = 1000;
        const int Length = 8 * 1024;
        using JunctionInstance junction = JunctionInstance.Start(new TcpSettings());
        EchoServer server = junction.Invoke(() => new EchoServer(junction.Stack.TcpListen(7, backlog: Connections)));
        var endpoint = new IPEndPoint(junction.Address.ToIPAddress(), 7);
        Socket[] sockets = LinuxSockets.NewTcp(junction, Connections);
        byte[][] data = [.. Enumerable.Range(0, Connections).Select(i => LinuxSockets.SeededBytes(Length, 1000 + i))];

        using CancellationTokenSource deadline = Deadline();
        byte[][] echoes = await Task.WhenAll(sockets.Select((s, i) => LinuxSockets.EchoAsync(s, endpoint, data[i], deadline.Token)));

        for (int i = 0; i < Connections; i++)
        {
            Assert.True(data[i].AsSpan().SequenceEqual(echoes[i]), $"connection {i}: the echo differs from what was sent");
            sockets[i].Dispose();
        }
        Assert.True(junction.WaitUntil(() => server.Finished == Connections));
        Assert.Equal(Connections, junction.Invoke(() => server.Accepted));
        Assert.Equal(Connections, junction.Invoke(() => junction.Stack.TcpStatistics.PassiveOpens));
    }

    [Fact]
    public async Task Linux_half_close_lets_junction_read_to_end_of_stream_then_reply_and_close()
    {
        using JunctionInstance junction = JunctionInstance.Start();
        HalfCloseServer server = junction.Invoke(() => new HalfCloseServer(junction.Stack.TcpListen(9), HalfCloseServer.Order.PeerFinishesFirst));
        using Socket socket = LinuxSockets.NewTcp(junction);
        byte[] request = LinuxSockets.SeededBytes(300_000, 9);
        using CancellationTokenSource deadline = Deadline();

        await socket.ConnectAsync(new IPEndPoint(junction.Address.ToIPAddress(), 9), deadline.Token);
        await LinuxSockets.SendAllAndShutdownAsync(socket, request, deadline.Token);
        byte[] reply = await LinuxSockets.ReadToEndAsync(socket, deadline.Token);

        Assert.Equal($"{request.Length} {Convert.ToHexStringLower(SHA256.HashData(request))}", Encoding.ASCII.GetString(reply));
        Assert.True(junction.WaitUntil(() => server.State == TcpState.Closed), $"Junction's side is {junction.Invoke(() => server.State)}");
        Assert.Equal(TcpState.CloseWait, junction.Invoke(() => server.StateAtEndOfStream));
        Assert.Equal(TcpState.CloseWait, junction.Invoke(() => server.StateBeforeShutdown));
        Assert.Equal(TcpState.LastAck, junction.Invoke(() => server.StateAfterClose));
    }

    [Fact]
    public async Task Junction_half_close_lets_linux_read_to_end_of_stream_and_still_send_its_reply()
    {
        using JunctionInstance junction = JunctionInstance.Start();
        string greeting = "hello from junction; your turn";
        HalfCloseServer server = junction.Invoke(() => new HalfCloseServer(junction.Stack.TcpListen(9), HalfCloseServer.Order.JunctionFinishesFirst, greeting));
        using Socket socket = LinuxSockets.NewTcp(junction);
        byte[] reply = LinuxSockets.SeededBytes(300_000, 10);
        using CancellationTokenSource deadline = Deadline();

        await socket.ConnectAsync(new IPEndPoint(junction.Address.ToIPAddress(), 9), deadline.Token);
        byte[] received = await LinuxSockets.ReadToEndAsync(socket, deadline.Token);
        Assert.Equal(greeting, Encoding.ASCII.GetString(received));
        Assert.True(junction.WaitUntil(() => server.State == TcpState.FinWait2), $"Junction's side is {junction.Invoke(() => server.State)}");
        await LinuxSockets.SendAllAndShutdownAsync(socket, reply, deadline.Token);

        Assert.True(junction.WaitUntil(() => server.ReceivedSummary is not null));
        Assert.Equal($"{reply.Length} {Convert.ToHexStringLower(SHA256.HashData(reply))}", junction.Invoke(() => server.ReceivedSummary));
        Assert.Equal(TcpState.Established, junction.Invoke(() => server.StateBeforeShutdown));
        Assert.Equal(TcpState.TimeWait, junction.Invoke(() => server.StateAtEndOfStream));
        // TIME_WAIT lasts unless a RST ends it: on a loaded machine Linux may retransmit its FIN before our ACK
        // arrives, and our second ACK then meets a closed socket, whose RST ends TIME_WAIT (Linux's rfc1337=0 does too).
        (TcpState? state, long resets) = junction.Invoke(() => (server.State, junction.Stack.TcpStatistics.ResetsReceived));
        Assert.True(state == TcpState.TimeWait || (state == TcpState.Closed && resets > 0), $"Junction's side is {state} after {resets} resets");
    }

    [Fact]
    public async Task Linux_connect_to_a_closed_junction_port_is_refused_by_a_reset()
    {
        using JunctionInstance junction = JunctionInstance.Start();
        junction.Invoke(() => junction.Stack.TcpListen(80));
        using Socket socket = LinuxSockets.NewTcp(junction);
        using CancellationTokenSource deadline = Deadline();

        var refused = await Assert.ThrowsAsync<SocketException>(async () =>
            await socket.ConnectAsync(new IPEndPoint(junction.Address.ToIPAddress(), 81), deadline.Token));

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal(1, junction.Invoke(() => junction.Stack.TcpStatistics.ResetsSent));
        Assert.Equal(0, junction.Invoke(() => junction.Stack.TcpConnectionCount));
    }
}

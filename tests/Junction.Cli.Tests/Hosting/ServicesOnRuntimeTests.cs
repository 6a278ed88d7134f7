using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Junction.Cli.Hosting;
using Junction.Cli.Load;
using Junction.Cli.Services;
using Junction.Runtime;
using Junction.Sockets;

namespace Junction.Cli.Tests.Hosting;

/// <summary>The CLI's Junction services as uthreads of a runtime instance, on the virtual switch (no root).</summary>
public sealed class ServicesOnRuntimeTests
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Echo_service_answers_each_message_and_its_instance_parks_and_stops_polling_when_idle()
    {
        using var pair = new SwitchPair();
        RuntimeInstance server = pair.Server.Instance;
        await using var echo = new EchoService(server, 7);
        using JunctionConnection connection = await JunctionConnection.ConnectAsync(pair.Client.Instance, SwitchPair.ServerEndPoint(7)).WaitAsync(HangLimit);

        for (int i = 0; i < 20; i++)
        {
            byte[] message = [(byte)i, 1, 2, 3, 4, 5, 6, 7];
            byte[] answer = await RoundTripAsync(connection, message).WaitAsync(HangLimit);
            Assert.Equal(message, answer);
        }

        Assert.True(SwitchPair.Eventually(() => server.IsIdle && server.KthreadCount == 0), "the server instance never parked after the traffic stopped");
        long rounds = server.Statistics.Rounds;
        long parks = server.Statistics.Parks;
        Thread.Sleep(500);
        // A parked instance runs no scheduling round; a busy-polling one would run hundreds of thousands here.
        Assert.True(server.Statistics.Rounds - rounds < 1000, $"the idle server ran {server.Statistics.Rounds - rounds} rounds in 500 ms");
        Assert.True(server.IsIdle);
        Assert.True(parks >= 1);
        Assert.Equal(1, echo.Accepted);
        Assert.Equal(20 * 8, echo.Echoed);
        Assert.Null(echo.Failure);
    }

    [Fact]
    public async Task Echo_service_closes_after_the_peers_fin_and_its_dispose_resets_open_connections()
    {
        using var pair = new SwitchPair();
        var echo = new EchoService(pair.Server.Instance, 7);
        using JunctionConnection closing = await JunctionConnection.ConnectAsync(pair.Client.Instance, SwitchPair.ServerEndPoint(7)).WaitAsync(HangLimit);
        using JunctionConnection open = await JunctionConnection.ConnectAsync(pair.Client.Instance, SwitchPair.ServerEndPoint(7)).WaitAsync(HangLimit);

        await closing.Output.CompleteAsync();
        ReadResult end = await ReadToEndAsync(closing.Input).WaitAsync(HangLimit);
        Assert.True(end.IsCompleted, "the server did not answer the FIN with its own");

        await echo.DisposeAsync().AsTask().WaitAsync(HangLimit);
        await Assert.ThrowsAsync<SocketException>(() => ReadToEndAsync(open.Input).WaitAsync(HangLimit));
        Assert.Equal(2, echo.Accepted);
        Assert.Null(echo.Failure);
    }

    [Fact]
    public async Task Discard_service_counts_every_byte_a_client_sends()
    {
        using var pair = new SwitchPair();
        await using var discard = new DiscardService(pair.Server.Instance, 9);
        using JunctionConnection connection = await JunctionConnection.ConnectAsync(pair.Client.Instance, SwitchPair.ServerEndPoint(9)).WaitAsync(HangLimit);
        byte[] chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        for (int i = 0; i < 32; i++) await connection.Output.WriteAsync(chunk).AsTask().WaitAsync(HangLimit);
        await connection.Output.CompleteAsync();

        Assert.True(SwitchPair.Eventually(() => discard.Received == 32L * chunk.Length), $"the discard service counted {discard.Received} of {32L * chunk.Length} bytes");
        Assert.Equal(1, discard.Accepted);
        Assert.Null(discard.Failure);
    }

    [Fact]
    public async Task Udp_counter_counts_every_datagram_and_ends_its_loop_when_disposed()
    {
        using var pair = new SwitchPair();
        var counter = new UdpCounter(pair.Server.Instance, 9);
        using var sender = new JunctionSocket(pair.Client.Instance, SocketType.Dgram, ProtocolType.Udp);
        byte[] datagram = new byte[64];
        for (int i = 0; i < 200; i++)
        {
            sender.SendTo(datagram, SwitchPair.ServerEndPoint(9));
            // A few at a time: the switch port's queue is finite and this checks counting, not the drop policy.
            if (i % 16 == 15) Assert.True(SwitchPair.Eventually(() => counter.Received == i + 1), $"{counter.Received} of {i + 1} datagrams counted");
        }
        Assert.True(SwitchPair.Eventually(() => counter.Received == 200), $"{counter.Received} of 200 datagrams counted");
        await counter.DisposeAsync().AsTask().WaitAsync(HangLimit);
    }

    [Fact]
    public async Task Junction_pinger_times_round_trips_against_the_echo_service_from_a_uthread()
    {
        using var pair = new SwitchPair();
        await using var echo = new EchoService(pair.Server.Instance, 7);
        JunctionHost client = pair.Client;
        LatencyHistogram histogram = await client.Run(() => JunctionPinger.RunAsync(client.Instance, SwitchPair.ServerEndPoint(7), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), CancellationToken.None)).WaitAsync(HangLimit);

        Assert.True(histogram.Count > 0, "no round trip completed in the window");
        Assert.True(histogram.Percentile(99) >= histogram.Percentile(50));
        // Every round trip was an echo of 64 bytes: the server saw at least the timed ones.
        Assert.True(echo.Echoed >= histogram.Count * TcpRoundTripLoad.MessageLength);
        Assert.Null(echo.Failure);
    }

    [Fact]
    public async Task A_captured_instance_still_parks_and_its_pcap_holds_the_echoed_frames()
    {
        string path = Path.Combine(Path.GetTempPath(), $"junction-cli-capture-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        try
        {
            using (var pair = new SwitchPair(new HostSettings { PcapPath = path }))
            {
                Assert.Contains("captured to", pair.Server.Description, StringComparison.Ordinal);
                await using var echo = new EchoService(pair.Server.Instance, 7);
                using JunctionConnection connection = await JunctionConnection.ConnectAsync(pair.Client.Instance, SwitchPair.ServerEndPoint(7)).WaitAsync(HangLimit);
                Assert.Equal("captured"u8.ToArray(), await RoundTripAsync(connection, "captured"u8.ToArray()).WaitAsync(HangLimit));
                Assert.True(SwitchPair.Eventually(() => pair.Server.Instance.IsIdle), "the captured instance never parked");
            }
            byte[] file = File.ReadAllBytes(path);
            // A pcap header (24 bytes) and at least the handshake, the message, its echo and their acknowledgements.
            Assert.True(file.Length > 24 + 5 * (16 + 54), $"the capture holds only {file.Length} bytes");
            Assert.True(file.AsSpan().IndexOf("captured"u8) > 0, "the echoed payload is not in the capture");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<byte[]> RoundTripAsync(JunctionConnection connection, byte[] message)
    {
        await connection.Output.WriteAsync(message);
        var answer = new byte[message.Length];
        int have = 0;
        while (have < answer.Length)
        {
            ReadResult read = await connection.Input.ReadAsync();
            ReadOnlySequence<byte> buffer = read.Buffer;
            int take = (int)Math.Min(buffer.Length, answer.Length - have);
            buffer.Slice(0, take).CopyTo(answer.AsSpan(have));
            have += take;
            connection.Input.AdvanceTo(buffer.GetPosition(take));
            if (have < answer.Length && read.IsCompleted) throw new EndOfStreamException();
        }
        return answer;
    }

    private static async Task<ReadResult> ReadToEndAsync(PipeReader input)
    {
        while (true)
        {
            ReadResult read = await input.ReadAsync();
            input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) return read;
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Junction.Sockets;

namespace Junction.Tests.Sockets;

/// <summary>
/// 64-byte request/response over one connection allocates nothing in steady state, counted over the whole process
/// (kthreads, pool threads, the loops), and every request leaves from the device frame it was written into: through the
/// pipes and through <see cref="JunctionSocket"/>, with the loops as uthreads of the instances (the direct path) and on
/// the thread pool.
/// </summary>
[Collection(nameof(ProcessWideAllocation))]
public sealed class RoundTripAllocationTests
{
    private const int MessageSize = 64;
    private const int Window = 2000;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pipe_round_trips_allocate_nothing_in_steady_state(bool onUthreads) =>
        AssertSteadyStateAllocatesNothing(usePipes: true, onUthreads);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Socket_round_trips_allocate_nothing_in_steady_state(bool onUthreads) =>
        AssertSteadyStateAllocatesNothing(usePipes: false, onUthreads);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Udp_round_trips_through_socket_addresses_allocate_nothing_in_steady_state(bool onUthreads)
    {
        using var lab = new SocketLab();
        using var server = new JunctionSocket(lab.Server, SocketType.Dgram, ProtocolType.Udp);
        using var client = new JunctionSocket(lab.Client, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Any, 7200));
        client.Bind(new IPEndPoint(IPAddress.Any, 7201));
        var serverAddress = new IPEndPoint(lab.ServerAddress, 7200).Serialize();
        var udp = new UdpDriver(client, server, serverAddress);
        Task echo = Start(udp.EchoAsync, onUthreads ? lab.Server.TaskScheduler : TaskScheduler.Default);

        long[] windows = SocketLab.Await(Start(udp.MeasureAsync, onUthreads ? lab.Client.TaskScheduler : TaskScheduler.Default));

        Assert.True(windows.Min() < Window, $"Bytes allocated per window of {Window} round trips: {string.Join(", ", windows)}");
        Assert.Equal(6 * Window, udp.RoundTrips);
        Assert.Equal(0, udp.Mismatches);
        server.Dispose();
        Assert.ThrowsAny<Exception>(() => SocketLab.Await(echo)); // the pending receive ends with the socket
    }

    private static void AssertSteadyStateAllocatesNothing(bool usePipes, bool onUthreads)
    {
        using var lab = new SocketLab();
        var options = new JunctionConnectionOptions { NoDelay = true };
        using JunctionListener listener = JunctionListener.Listen(lab.Server, 7100, options: options);
        Task<JunctionConnection> accepted = listener.AcceptAsync().AsTask();
        using JunctionConnection client = SocketLab.Await(JunctionConnection.ConnectAsync(lab.Client, new IPEndPoint(lab.ServerAddress, 7100), options));
        using JunctionConnection server = SocketLab.Await(accepted);
        TaskScheduler serverScheduler = onUthreads ? lab.Server.TaskScheduler : TaskScheduler.Default;
        TaskScheduler clientScheduler = onUthreads ? lab.Client.TaskScheduler : TaskScheduler.Default;
        var driver = new Driver(client, server, usePipes);
        Task echo = Start(driver.EchoAsync, serverScheduler);

        long inPlaceBefore = lab.Client.Stack.TcpStatistics.SegmentsSentInPlace;
        long[] windows = SocketLab.Await(Start(driver.MeasureAsync, clientScheduler));
        // And without a copy: every request left from the frame it was written into.
        long inPlace = lab.Client.Stack.TcpStatistics.SegmentsSentInPlace - inPlaceBefore;
        Assert.True(inPlace >= 6 * Window, $"{inPlace} requests of {6 * Window} were sent from their own frame");

        // Zero per round trip: under one byte per round trip in the quietest window, when the smallest object is 24 B.
        // The process allocates a few hundred bytes a window in the background (the test host's threads), so an exact
        // zero would be luck; one object per round trip would be 48,000 B or more.
        Assert.True(windows.Min() < Window, $"Bytes allocated per window of {Window} round trips: {string.Join(", ", windows)}");
        Assert.Equal(6 * Window, driver.RoundTrips);
        Assert.Equal(0, driver.Mismatches);
        client.Output.Complete();
        SocketLab.Await(echo);
    }

    private static Task<T> Start<T>(Func<Task<T>> body, TaskScheduler scheduler) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();

    private static Task Start(Func<Task> body, TaskScheduler scheduler) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();

    /// <summary>A datagram ping-pong through the SocketAddress forms of SendToAsync/ReceiveFromAsync, which allocate nothing.</summary>
    private sealed class UdpDriver(JunctionSocket client, JunctionSocket server, SocketAddress serverAddress)
    {
        private readonly byte[] _request = new byte[MessageSize];
        private readonly byte[] _response = new byte[MessageSize];
        private readonly byte[] _echoBuffer = new byte[MessageSize];
        private readonly SocketAddress _from = new(AddressFamily.InterNetwork);
        private readonly SocketAddress _echoFrom = new(AddressFamily.InterNetwork);

        public int RoundTrips { get; private set; }

        public int Mismatches { get; private set; }

        public async Task<long[]> MeasureAsync()
        {
            long[] windows = new long[5];
            for (int w = -1; w < windows.Length; w++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < Window; i++)
                {
                    _request.AsSpan().Fill((byte)i);
                    await client.SendToAsync(_request.AsMemory(), SocketFlags.None, serverAddress);
                    int n = await client.ReceiveFromAsync(_response.AsMemory(), SocketFlags.None, _from);
                    if (n != MessageSize || _response[MessageSize - 1] != (byte)i || !_from.Equals(serverAddress)) Mismatches++;
                    RoundTrips++;
                }
                if (w >= 0) windows[w] = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
            return windows;
        }

        public async Task EchoAsync()
        {
            while (true)
            {
                int n = await server.ReceiveFromAsync(_echoBuffer.AsMemory(), SocketFlags.None, _echoFrom).ConfigureAwait(false);
                await server.SendToAsync(_echoBuffer.AsMemory(0, n), SocketFlags.None, _echoFrom).ConfigureAwait(false);
            }
        }
    }

    private sealed class Driver(JunctionConnection client, JunctionConnection server, bool usePipes)
    {
        private readonly JunctionSocket _clientSocket = JunctionSocket.FromConnection(client);
        private readonly JunctionSocket _serverSocket = JunctionSocket.FromConnection(server);
        private readonly byte[] _request = new byte[MessageSize];
        private readonly byte[] _response = new byte[MessageSize];
        private readonly byte[] _echoBuffer = new byte[MessageSize];

        public int RoundTrips { get; private set; }

        /// <summary>Responses that did not echo their request (counted, not asserted: xunit's asserts allocate).</summary>
        public int Mismatches { get; private set; }

        /// <summary>Warms up (JIT tiers, pools fill), then counts the bytes allocated over each of five windows.</summary>
        public Task<long[]> MeasureAsync() => usePipes ? MeasurePipesAsync() : MeasureSocketsAsync();

        public Task EchoAsync() => usePipes ? PipeEchoAsync() : SocketEchoAsync();

        // One method per path with the windows inline: an async call per window would allocate its own state machine.
        private async Task<long[]> MeasurePipesAsync()
        {
            long[] windows = new long[5];
            for (int w = -1; w < windows.Length; w++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < Window; i++)
                {
                    client.Output.GetSpan(MessageSize)[..MessageSize].Fill((byte)i);
                    client.Output.Advance(MessageSize);
                    await client.Output.FlushAsync();
                    long received = 0;
                    while (received < MessageSize)
                    {
                        ReadResult read = await client.Input.ReadAsync();
                        long take = Math.Min(MessageSize - received, read.Buffer.Length);
                        if (read.Buffer.FirstSpan[0] != (byte)i) Mismatches++;
                        received += take;
                        client.Input.AdvanceTo(read.Buffer.GetPosition(take));
                    }
                    RoundTrips++;
                }
                if (w >= 0) windows[w] = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
            return windows;
        }

        private async Task<long[]> MeasureSocketsAsync()
        {
            long[] windows = new long[5];
            for (int w = -1; w < windows.Length; w++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < Window; i++)
                {
                    _request.AsSpan().Fill((byte)i);
                    await _clientSocket.SendAsync(_request.AsMemory());
                    int received = 0;
                    while (received < MessageSize) received += await _clientSocket.ReceiveAsync(_response.AsMemory(received));
                    if (_response[MessageSize - 1] != (byte)i) Mismatches++;
                    RoundTrips++;
                }
                if (w >= 0) windows[w] = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
            return windows;
        }

        private async Task PipeEchoAsync()
        {
            while (true)
            {
                ReadResult read = await server.Input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                long whole = buffer.Length / MessageSize * MessageSize;
                foreach (ReadOnlyMemory<byte> piece in buffer.Slice(0, whole))
                {
                    piece.Span.CopyTo(server.Output.GetSpan(piece.Length));
                    server.Output.Advance(piece.Length);
                }
                server.Input.AdvanceTo(buffer.GetPosition(whole), buffer.End);
                if (whole > 0) await server.Output.FlushAsync().ConfigureAwait(false);
                if (read.IsCompleted) return;
            }
        }

        private async Task SocketEchoAsync()
        {
            while (true)
            {
                int received = 0;
                while (received < MessageSize)
                {
                    int n = await _serverSocket.ReceiveAsync(_echoBuffer.AsMemory(received), SocketFlags.None).ConfigureAwait(false);
                    if (n == 0) return;
                    received += n;
                }
                await _serverSocket.SendAsync(_echoBuffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
            }
        }
    }
}

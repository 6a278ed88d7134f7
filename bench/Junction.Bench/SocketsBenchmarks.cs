using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Sockets;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Bench;

/// <summary>
/// The sockets' figures (issue 5): 64-byte request/response round trips per second and bytes allocated per round trip
/// in steady state (whole process: kthreads, pool threads, the loops), through the pipe API, through JunctionSocket with
/// reused buffers, and through System.Net.Sockets over loopback in the same run.
/// Usage: dotnet run -c Release --project bench/Junction.Bench -- sockets [--seconds N]
/// </summary>
internal static class SocketsBenchmarks
{
    private const int MessageSize = 64;

    public static int Run(string[] args)
    {
        int i = Array.IndexOf(args, "--seconds");
        double seconds = i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        Console.WriteLine($"Junction sockets benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:u}");
        Console.WriteLine("64 B request/response, one connection, client and server loops on the thread pool or as uthreads; Junction: two instances on a real-time virtual switch, one runtime.");
        Console.WriteLine();
        using AllocationTracer? tracer = args.Contains("--trace-alloc") ? new AllocationTracer() : null;
        BenchResult pipes = JunctionRoundTrips(seconds, usePipes: true, onUthreads: false);
        tracer?.Report();
        BenchResult sockets = JunctionRoundTrips(seconds, usePipes: false, onUthreads: false);
        tracer?.Report();
        BenchResult pipesU = JunctionRoundTrips(seconds, usePipes: true, onUthreads: true);
        tracer?.Report();
        BenchResult socketsU = JunctionRoundTrips(seconds, usePipes: false, onUthreads: true);
        tracer?.Report();
        BenchResult linux = LinuxRoundTrips(seconds);
        Console.WriteLine($"{"path",-50} {"round trips/s",14} {"B alloc/round trip",20}");
        Console.WriteLine($"{"Junction pipes, loops on the thread pool",-50} {pipes.Rate,14:N0} {pipes.AllocatedPerOperation,20:F2}");
        Console.WriteLine($"{"JunctionSocket, loops on the thread pool",-50} {sockets.Rate,14:N0} {sockets.AllocatedPerOperation,20:F2}");
        Console.WriteLine($"{"Junction pipes, loops as uthreads",-50} {pipesU.Rate,14:N0} {pipesU.AllocatedPerOperation,20:F2}");
        Console.WriteLine($"{"JunctionSocket, loops as uthreads",-50} {socketsU.Rate,14:N0} {socketsU.AllocatedPerOperation,20:F2}");
        Console.WriteLine($"{"System.Net.Sockets, loopback",-50} {linux.Rate,14:N0} {linux.AllocatedPerOperation,20:F2}");
        return 0;
    }

    private static BenchResult JunctionRoundTrips(double seconds, bool usePipes, bool onUthreads)
    {
        using var network = VirtualSwitch.CreateRealTime();
        using var runtime = new JunctionRuntime(new JunctionRuntimeOptions { MaxKthreads = 2 });
        RuntimeInstance server = runtime.CreateInstance(network.CreatePort(MacAddress.LocallyAdministered(1)), Options(1));
        RuntimeInstance client = runtime.CreateInstance(network.CreatePort(MacAddress.LocallyAdministered(2)), Options(2));
        var options = new JunctionConnectionOptions { NoDelay = true };
        using JunctionListener listener = JunctionListener.Listen(server, 7000, options: options);
        Task<JunctionConnection> accepted = listener.AcceptAsync().AsTask();
        JunctionConnection clientConnection = JunctionConnection.ConnectAsync(client, new IPEndPoint(server.Stack.Address.ToIPAddress(), 7000), options).GetAwaiter().GetResult();
        JunctionConnection serverConnection = accepted.GetAwaiter().GetResult();
        using var stop = new CancellationTokenSource();
        Task echo;
        Func<long, Task> loop;
        // On the thread pool, or as uthreads of the instances (the application code on the kthreads that run the stacks).
        TaskScheduler serverScheduler = onUthreads ? server.TaskScheduler : TaskScheduler.Default;
        TaskScheduler clientScheduler = onUthreads ? client.TaskScheduler : TaskScheduler.Default;
        if (usePipes)
        {
            echo = Start(() => PipeEchoAsync(serverConnection, stop.Token), serverScheduler);
            loop = count => Start(() => PipeClientAsync(clientConnection, count), clientScheduler);
        }
        else
        {
            var serverSocket = new JunctionSocketAdapter(serverConnection);
            var clientSocket = new JunctionSocketAdapter(clientConnection);
            echo = Start(() => SocketEchoAsync(serverSocket.ReceiveAsync, serverSocket.SendAsync, stop.Token), serverScheduler);
            loop = count => Start(() => SocketClientAsync(clientSocket.ReceiveAsync, clientSocket.SendAsync, count), clientScheduler);
        }
        BenchResult result = Measure(loop, seconds);
        stop.Cancel();
        clientConnection.Dispose();
        serverConnection.Dispose();
        return result;
    }

    private static Task Start(Func<Task> body, TaskScheduler scheduler) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();

    private static BenchResult LinuxRoundTrips(double seconds)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        using Socket server = listener.Accept();
        server.NoDelay = true;
        using var stop = new CancellationTokenSource();
        Task echo = Task.Run(() => SocketEchoAsync(
            (m, t) => server.ReceiveAsync(m, SocketFlags.None, t), (m, t) => server.SendAsync(m, SocketFlags.None, t), stop.Token));
        BenchResult result = Measure(count => SocketClientAsync(
            (m, t) => client.ReceiveAsync(m, SocketFlags.None, t), (m, t) => client.SendAsync(m, SocketFlags.None, t), count), seconds);
        stop.Cancel();
        return result;
    }

    /// <summary>Warms up, estimates the rate, then runs a counted steady-state window and measures allocation over it.</summary>
    private static BenchResult Measure(Func<long, Task> loop, double seconds)
    {
        loop(20_000).GetAwaiter().GetResult();
        var probe = Stopwatch.StartNew();
        loop(5_000).GetAwaiter().GetResult();
        long count = Math.Max(10_000, (long)(5_000 / probe.Elapsed.TotalSeconds * seconds));
        GC.Collect();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        loop(count).GetAwaiter().GetResult();
        watch.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new BenchResult(count / watch.Elapsed.TotalSeconds, (double)allocated / count);
    }

    private static async Task PipeClientAsync(JunctionConnection connection, long count)
    {
        PipeWriter output = connection.Output;
        PipeReader input = connection.Input;
        for (long i = 0; i < count; i++)
        {
            output.GetSpan(MessageSize)[..MessageSize].Fill((byte)i);
            output.Advance(MessageSize);
            await output.FlushAsync().ConfigureAwait(false);
            long received = 0;
            while (received < MessageSize)
            {
                ReadResult read = await input.ReadAsync().ConfigureAwait(false);
                long take = Math.Min(MessageSize - received, read.Buffer.Length);
                received += take;
                input.AdvanceTo(read.Buffer.GetPosition(take));
            }
        }
    }

    private static async Task PipeEchoAsync(JunctionConnection connection, CancellationToken stop)
    {
        PipeWriter output = connection.Output;
        PipeReader input = connection.Input;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                ReadResult read = await input.ReadAsync(stop).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                // Echo whole messages straight from the received frames into the writer's frames.
                long whole = buffer.Length / MessageSize * MessageSize;
                foreach (ReadOnlyMemory<byte> piece in buffer.Slice(0, whole))
                {
                    piece.Span.CopyTo(output.GetSpan(piece.Length));
                    output.Advance(piece.Length);
                }
                input.AdvanceTo(buffer.GetPosition(whole), buffer.End);
                if (whole > 0) await output.FlushAsync(stop).ConfigureAwait(false);
                if (read.IsCompleted) return;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task SocketClientAsync(
        Func<Memory<byte>, CancellationToken, ValueTask<int>> receive, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> send, long count)
    {
        byte[] request = new byte[MessageSize];
        byte[] response = new byte[MessageSize];
        for (long i = 0; i < count; i++)
        {
            await send(request, default).ConfigureAwait(false);
            int received = 0;
            while (received < MessageSize) received += await receive(response.AsMemory(received), default).ConfigureAwait(false);
        }
    }

    private static async Task SocketEchoAsync(
        Func<Memory<byte>, CancellationToken, ValueTask<int>> receive, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> send, CancellationToken stop)
    {
        byte[] buffer = new byte[MessageSize];
        try
        {
            while (true)
            {
                int received = 0;
                while (received < MessageSize)
                {
                    int n = await receive(buffer.AsMemory(received), stop).ConfigureAwait(false);
                    if (n == 0) return;
                    received += n;
                }
                await send(buffer, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private static NetStackOptions Options(int host) => new() { Address = new Ipv4Address(10, 5, 0, (byte)host), Seed = host, Tcp = { NoDelay = true } };

    /// <summary>JunctionSocket's send/receive over an existing connection, as the benchmark's delegates (bound once).</summary>
    private sealed class JunctionSocketAdapter
    {
        private readonly JunctionSocket _socket;

        public JunctionSocketAdapter(JunctionConnection connection)
        {
            _socket = JunctionSocket.FromConnection(connection);
            ReceiveAsync = (m, t) => _socket.ReceiveAsync(m, SocketFlags.None, t);
            SendAsync = (m, t) => _socket.SendAsync(m, SocketFlags.None, t);
        }

        public Func<Memory<byte>, CancellationToken, ValueTask<int>> ReceiveAsync { get; }

        public Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> SendAsync { get; }
    }
}

using System.Diagnostics;
using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Stack;
using Junction.Stack.Udp;
using Junction.Wire;

namespace Junction.Bench;

/// <summary>
/// The runtime's figures (issue 4): idle density, wake-up latency, 1 vs 2 kthreads, fairness, allocation.
/// Usage: dotnet run -c Release --project bench/Junction.Bench -- runtime [--idle-instances N] [--idle-seconds N]
/// </summary>
internal static class RuntimeBenchmarks
{
    private static readonly VirtualPortOptions SmallPort = new() { FrameCount = 256, QueueCapacity = 256 };

    public static int Run(string[] args)
    {
        int idleInstances = Arg(args, "--idle-instances", 1000);
        int idleSeconds = Arg(args, "--idle-seconds", 10);
        Console.WriteLine($"Junction runtime benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:u}");
        Console.WriteLine();
        Idle(idleInstances, idleSeconds);
        foreach (KthreadMode mode in new[] { KthreadMode.DedicatedThreads, KthreadMode.ThreadPool })
        {
            WakeUp(mode, samples: 2000);
        }
        foreach (KthreadMode mode in new[] { KthreadMode.DedicatedThreads, KthreadMode.ThreadPool })
        {
            double one = Throughput(mode, serverKthreads: 1, seconds: 3);
            double two = Throughput(mode, serverKthreads: 2, seconds: 3);
            Console.WriteLine($"  {mode}: 2 kthreads / 1 kthread = {two / one:F2}x");
        }
        Fairness(runtimeKthreads: 1, seconds: 3);
        Fairness(runtimeKthreads: 2, seconds: 3);
        return 0;
    }

    /// <summary>N parked instances (each listening on TCP port 80): CPU time the process uses while they wait.</summary>
    private static void Idle(int count, int seconds)
    {
        using var network = VirtualSwitch.CreateRealTime();
        using var runtime = new JunctionRuntime();
        var pool = new Devices.FramePool(4096);
        for (int i = 0; i < count; i++)
        {
            VirtualPort port = network.CreatePort(MacAddress.LocallyAdministered((uint)(i + 1)), SmallPort with { Pool = pool });
            RuntimeInstance instance = runtime.CreateInstance(port, Options(i + 1));
            instance.InvokeAsync(() => instance.Stack.TcpListen(80)).Wait();
        }
        while (runtime.ActiveInstanceCount > 0) Thread.Sleep(10);
        Thread.Sleep(200);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuBefore;
        double percent = cpu.TotalSeconds / wall.Elapsed.TotalSeconds * 100;
        Console.WriteLine($"idle: {count} parked instances, {runtime.ThreadCount} kthreads, {wall.Elapsed.TotalSeconds:F1} s: CPU {cpu.TotalMilliseconds:F1} ms = {percent:F3}% of one core");
        runtime.Dispose();
        network.Dispose();
        pool.Dispose();
    }

    /// <summary>
    /// A client instance sends a datagram stamped with the send time every 2 ms to a parked server instance; the
    /// server's handler (a uthread posted by the socket observer) measures how long the packet took to reach it.
    /// </summary>
    private static void WakeUp(KthreadMode mode, int samples)
    {
        using var network = VirtualSwitch.CreateRealTime();
        using var runtime = new JunctionRuntime(new JunctionRuntimeOptions { Mode = mode, MaxKthreads = 2 });
        RuntimeInstance server = runtime.CreateInstance(network.CreatePort(MacAddress.LocallyAdministered(1), SmallPort), Options(1));
        RuntimeInstance client = runtime.CreateInstance(network.CreatePort(MacAddress.LocallyAdministered(2), SmallPort), Options(2));
        var handler = new LatencyHandler(server, samples + 100);
        server.InvokeAsync(() => server.Stack.UdpBind(9000).Observer = handler).Wait();
        UdpSocket sender = client.InvokeAsync(() => client.Stack.UdpBind(9001)).Result;
        Ipv4Address target = server.Stack.Address;
        var send = new SendStamp(sender, target);
        for (int i = 0; i < 100; i++) Ping(client, send, server); // warm-up, ARP
        handler.Reset();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int parked = 0;
        for (int i = 0; i < samples; i++)
        {
            if (Ping(client, send, server)) parked++;
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        double[] micros = handler.Samples();
        Array.Sort(micros);
        Console.WriteLine($"wake-up ({mode}): packet sent -> handler uthread on a parked instance, {micros.Length} samples ({parked} found it parked): " +
            $"p50 {micros[micros.Length / 2]:F1} us, p99 {micros[micros.Length * 99 / 100]:F1} us, max {micros[^1]:F1} us; {allocated / (double)samples:F1} B allocated per request; {runtime.ThreadCount} kthreads");
    }

    private static bool Ping(RuntimeInstance client, SendStamp send, RuntimeInstance server)
    {
        Thread.Sleep(2); // long past SpinBeforePark: the server parks between pings
        bool parked = server.IsIdle;
        client.Post(SendStamp.Callback, send);
        return parked;
    }

    /// <summary>
    /// Request/response over UDP with 16 requests in flight; each request is a uthread of the server doing ~5 us of
    /// work before it replies. The server may use 1 or 2 kthreads.
    /// </summary>
    private static double Throughput(KthreadMode mode, int serverKthreads, int seconds)
    {
        using var network = VirtualSwitch.CreateRealTime();
        using var runtime = new JunctionRuntime(new JunctionRuntimeOptions { Mode = mode, MaxKthreads = serverKthreads + 1 });
        RuntimeInstance server = runtime.CreateInstance(network.CreatePort(MacAddress.LocallyAdministered(1), SmallPort), Options(1), new RuntimeInstanceOptions { MinKthreads = serverKthreads, MaxKthreads = serverKthreads });
        RuntimeInstance client = runtime.CreateInstance(network.CreatePort(MacAddress.LocallyAdministered(2), SmallPort), Options(2), new RuntimeInstanceOptions { MaxKthreads = 1 });
        var echo = new WorkingEcho(server);
        server.InvokeAsync(() => echo.Socket = server.Stack.UdpBind(9000)).Wait();
        var load = new ClientLoad(client, server.Stack.Address);
        client.InvokeAsync(load.Start).Wait();
        Thread.Sleep(500);
        long startCount = load.Completed;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        long completed = load.Completed - startCount;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        double rate = completed / wall.Elapsed.TotalSeconds;
        load.Stop = true;
        Console.WriteLine($"throughput ({mode}, server with {serverKthreads} kthread(s)): {rate:N0} requests/s, server peak kthreads {server.Statistics.PeakKthreads}, {allocated / (double)Math.Max(1, completed):F2} B allocated per request");
        return rate;
    }

    /// <summary>Two instances that always have work (each uthread queues the next), sharing 1 or 2 kthreads.</summary>
    private static void Fairness(int runtimeKthreads, int seconds)
    {
        using var network = VirtualSwitch.CreateRealTime();
        using var runtime = new JunctionRuntime(new JunctionRuntimeOptions { MaxKthreads = runtimeKthreads });
        var spinners = new SelfSpinner[2];
        for (int i = 0; i < 2; i++)
        {
            RuntimeInstance instance = runtime.CreateInstance(network.CreatePort(MacAddress.LocallyAdministered((uint)(i + 1)), SmallPort), Options(i + 1));
            spinners[i] = new SelfSpinner(instance);
        }
        foreach (SelfSpinner spinner in spinners) for (int j = 0; j < 8; j++) spinner.Instance.Post(SelfSpinner.Callback, spinner);
        Thread.Sleep(500);
        long a0 = spinners[0].Count, b0 = spinners[1].Count;
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        long a = spinners[0].Count - a0, b = spinners[1].Count - b0;
        foreach (SelfSpinner spinner in spinners) spinner.Stop = true;
        Console.WriteLine($"fairness ({runtimeKthreads} kthread(s) for 2 busy instances): {a:N0} vs {b:N0} work items, share {a / (double)(a + b):P1} / {b / (double)(a + b):P1}");
    }

    private static NetStackOptions Options(int host) =>
        new() { Address = new Ipv4Address(10, 8, (byte)(host >> 8), (byte)host), PrefixLength = 16, Seed = host };

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static void Spin(double microseconds)
    {
        long end = Stopwatch.GetTimestamp() + (long)(microseconds * Stopwatch.Frequency / 1_000_000);
        while (Stopwatch.GetTimestamp() < end) Thread.SpinWait(4);
    }

    private sealed class SendStamp(UdpSocket socket, Ipv4Address target)
    {
        public static readonly Action<object?> Callback = state => ((SendStamp)state!).Send();
        private readonly byte[] _payload = new byte[8];

        private void Send()
        {
            BitConverter.TryWriteBytes(_payload, Stopwatch.GetTimestamp());
            socket.SendTo(_payload, target, 9000);
        }
    }

    private sealed class LatencyHandler(RuntimeInstance instance, int capacity) : IUdpObserver
    {
        private static readonly Action<object?> HandleCallback = state => ((LatencyHandler)state!).Handle();
        private readonly double[] _samples = new double[capacity];
        private readonly byte[] _buffer = new byte[64];
        private UdpSocket? _socket;
        private int _count;

        public void OnReadable(UdpSocket socket)
        {
            _socket = socket;
            instance.Post(HandleCallback, this);
        }

        public void Reset() => Volatile.Write(ref _count, 0);

        public double[] Samples() => _samples[..Math.Min(Volatile.Read(ref _count), _samples.Length)];

        private void Handle()
        {
            long now = Stopwatch.GetTimestamp();
            using (instance.EnterStack())
            {
                while (_socket!.TryReceiveFrom(_buffer, out _, out _, out _, out _))
                {
                    long sent = BitConverter.ToInt64(_buffer, 0);
                    if (_count < _samples.Length) _samples[_count++] = (now - sent) * 1e6 / Stopwatch.Frequency;
                }
            }
        }
    }

    private sealed class WorkingEcho(RuntimeInstance instance) : IUdpObserver
    {
        private static readonly Action<object?> WorkCallback = state => ((Request)state!).Run();
        private readonly Stack<Request> _free = new();
        private readonly byte[] _buffer = new byte[64];
        private readonly RuntimeInstance _instance = instance;
        private UdpSocket? _socket;

        public UdpSocket? Socket
        {
            get => _socket;
            set
            {
                _socket = value;
                _socket!.Observer = this;
            }
        }

        public void OnReadable(UdpSocket socket)
        {
            while (socket.TryReceiveFrom(_buffer, out int copied, out _, out Ipv4Address from, out ushort port))
            {
                Request request;
                lock (_free) request = _free.Count > 0 ? _free.Pop() : new Request(this);
                request.From = from;
                request.Port = port;
                request.Length = copied;
                _buffer.AsSpan(0, copied).CopyTo(request.Data);
                _instance.Post(WorkCallback, request);
            }
        }

        private sealed class Request(WorkingEcho owner)
        {
            public readonly byte[] Data = new byte[64];
            public Ipv4Address From;
            public ushort Port;
            public int Length;

            public void Run()
            {
                Spin(5);
                using (owner._instance.EnterStack()) owner._socket!.SendTo(Data.AsSpan(0, Length), From, Port);
                lock (owner._free) owner._free.Push(this);
            }
        }
    }

    private sealed class ClientLoad(RuntimeInstance client, Ipv4Address server) : IUdpObserver
    {
        private readonly byte[] _buffer = new byte[64];
        private UdpSocket? _socket;
        private long _completed;

        public volatile bool Stop;

        public long Completed => Volatile.Read(ref _completed);

        public void Start()
        {
            _socket = client.Stack.UdpBind(9001);
            _socket.Observer = this;
            for (int i = 0; i < 16; i++) _socket.SendTo(_buffer.AsSpan(0, 32), server, 9000);
        }

        public void OnReadable(UdpSocket socket)
        {
            while (socket.TryReceiveFrom(_buffer, out _, out _, out _, out _))
            {
                Interlocked.Increment(ref _completed);
                if (!Stop) socket.SendTo(_buffer.AsSpan(0, 32), server, 9000);
            }
        }
    }

    private sealed class SelfSpinner(RuntimeInstance instance)
    {
        public static readonly Action<object?> Callback = state => ((SelfSpinner)state!).Run();
        private long _count;

        public volatile bool Stop;

        public RuntimeInstance Instance => instance;

        public long Count => Volatile.Read(ref _count);

        private void Run()
        {
            Spin(5);
            Interlocked.Increment(ref _count);
            if (!Stop) instance.Post(Callback, this);
        }
    }
}

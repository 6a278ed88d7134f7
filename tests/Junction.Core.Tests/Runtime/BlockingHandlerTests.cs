using Junction.Runtime;
using Junction.Stack.Tcp;

namespace Junction.Tests.Runtime;

public sealed class BlockingHandlerTests
{
    [Fact]
    public void A_handler_blocked_for_100_ms_does_not_stop_another_connection_of_the_same_instance()
    {
        // One kthread allowed for the server: only the blocked-kthread check can bring a second one.
        using var lab = new RuntimeLab(new JunctionRuntimeOptions { MaxKthreads = 2, BlockedThreshold = TimeSpan.FromMilliseconds(10) });
        RuntimeInstance server = lab.Add(1, new RuntimeInstanceOptions { MaxKthreads = 1 });
        RuntimeInstance client = lab.Add(2);
        var handlers = new Handlers(server);
        RuntimeLab.Await(server.InvokeAsync(() => server.Stack.TcpListen(80).Observer = handlers));

        var clientObserver = new ClientObserver();
        (TcpConnection first, TcpConnection second) = RuntimeLab.Await(client.InvokeAsync(() =>
        {
            TcpConnection a = client.Stack.TcpConnect(server.Stack.Address, 80);
            TcpConnection b = client.Stack.TcpConnect(server.Stack.Address, 80);
            a.Observer = clientObserver;
            b.Observer = clientObserver;
            return (a, b);
        }));
        Assert.True(RuntimeLab.Eventually(() => handlers.Accepted == 2));

        RuntimeLab.Await(client.InvokeAsync(() => first.Send("B"u8)));
        Assert.True(handlers.BlockingStarted.Wait(TimeSpan.FromSeconds(10)));
        RuntimeLab.Await(client.InvokeAsync(() => second.Send("E"u8)));

        Assert.True(clientObserver.Echoed.Wait(TimeSpan.FromSeconds(10)));
        // The echo came back while the other handler still slept on the server's only allowed kthread.
        Assert.False(handlers.BlockingFinished);
        Assert.True(RuntimeLab.Eventually(() => handlers.BlockingFinished));
        Assert.True(server.Statistics.BlockedKthreads >= 1);
    }

    [Fact]
    public void A_kthread_asleep_in_a_uthread_gets_a_replacement_but_one_busy_computing_does_not()
    {
        using var lab = new RuntimeLab(new JunctionRuntimeOptions { MaxKthreads = 2, BlockedThreshold = TimeSpan.FromMilliseconds(10) });
        RuntimeInstance instance = lab.Add(1, new RuntimeInstanceOptions { MaxKthreads = 1 });
        // Work on a second instance while the first one's kthread is taken brings a second kthread, which then
        // watches from epoll (the allocator runs there and in the kthreads' own loops).
        RuntimeInstance other = lab.Add(2);

        // Asleep in the kernel: blocked, and replaced.
        Task<int> sleeping = instance.InvokeAsync(() =>
        {
            Thread.Sleep(300);
            return 0;
        });
        RuntimeLab.Await(other.InvokeAsync(() => 0));
        RuntimeLab.Await(sleeping);
        long blocked = instance.Statistics.BlockedKthreads;
        Assert.True(blocked >= 1);

        // Runnable the whole time (running, or waiting for a CPU; a GC may stop it for a moment): behind its
        // heartbeat, but not blocked.
        Computation.WarmUp();
        Task<int> computing = instance.InvokeAsync(new Computation(300).Run);
        RuntimeLab.Await(other.InvokeAsync(() => 0));
        RuntimeLab.Await(computing);
        Assert.Equal(blocked, instance.Statistics.BlockedKthreads);
        Assert.True(instance.Statistics.PreemptedKthreads >= 1);
    }

    [Fact]
    public void A_threads_cpu_clock_moves_while_it_computes_and_stands_still_while_it_sleeps()
    {
        int tid = Junction.Interop.Libc.GetTid();
        long start = Junction.Interop.Libc.ThreadCpuTimeNanoseconds(tid);
        Thread.Sleep(50);
        long slept = Junction.Interop.Libc.ThreadCpuTimeNanoseconds(tid) - start;
        long until = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 20;
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until) Thread.SpinWait(100);
        long computed = Junction.Interop.Libc.ThreadCpuTimeNanoseconds(tid) - start - slept;
        Assert.True(start >= 0);
        Assert.InRange(slept, 0, 10_000_000);
        Assert.True(computed > slept, $"computed {computed} ns, slept {slept} ns");
    }

    [Fact]
    public void A_thread_reads_as_runnable_while_it_runs_and_not_while_it_sleeps()
    {
        using var asleep = new ManualResetEventSlim();
        int sleeperTid = 0;
        var sleeper = new Thread(() =>
        {
            sleeperTid = Junction.Interop.Libc.GetTid();
            asleep.Set();
            Thread.Sleep(Timeout.Infinite);
        }) { IsBackground = true };
        sleeper.Start();
        asleep.Wait();
        Assert.True(RuntimeLab.Eventually(() => Junction.Interop.Libc.IsThreadRunnable(sleeperTid) == false));
        Assert.True(Junction.Interop.Libc.IsThreadRunnable(Junction.Interop.Libc.GetTid()));
        Assert.Null(Junction.Interop.Libc.IsThreadRunnable(int.MaxValue));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Junction.Interop.Libc.IsThreadRunnable(sleeperTid);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Spins for a number of milliseconds of the calling thread's own CPU time (on a busy machine a wall-clock loop
    /// would mostly wait for a CPU).
    /// </summary>
    private sealed record Computation(int Milliseconds)
    {
        /// <summary>Compiles the loop and its P/Invokes first: a kthread waiting for the JIT is asleep in the kernel.</summary>
        public static void WarmUp() => new Computation(1).Run();

        public int Run()
        {
            int tid = Junction.Interop.Libc.GetTid();
            long start = Junction.Interop.Libc.ThreadCpuTimeNanoseconds(tid);
            while (Junction.Interop.Libc.ThreadCpuTimeNanoseconds(tid) - start < Milliseconds * 1_000_000L) Thread.SpinWait(20);
            return Milliseconds;
        }
    }

    private sealed class Handlers(RuntimeInstance instance) : ITcpListenerObserver, ITcpConnectionObserver
    {
        private readonly Action<object?> _handle = state => ((Handlers)state!).Handle();
        private readonly Queue<TcpConnection> _readable = new();
        private int _accepted;
        private volatile bool _blockingFinished;

        public int Accepted => Volatile.Read(ref _accepted);

        public ManualResetEventSlim BlockingStarted { get; } = new();

        public bool BlockingFinished => _blockingFinished;

        public void OnAcceptable(TcpListenEndpoint listener)
        {
            while (listener.TryAccept(out TcpConnection? connection))
            {
                connection.Observer = this;
                Interlocked.Increment(ref _accepted);
            }
        }

        public void OnReadable(TcpConnection connection)
        {
            // Observers run inside the stack's poll: hand the work to a uthread, as the sockets layer will.
            lock (_readable) _readable.Enqueue(connection);
            instance.Post(_handle, this);
        }

        private void Handle()
        {
            TcpConnection connection;
            lock (_readable) connection = _readable.Dequeue();
            var request = new byte[16];
            int length;
            using (instance.EnterStack()) length = connection.Receive(request);
            if (length == 0) return;
            if (request[0] == (byte)'B')
            {
                BlockingStarted.Set();
                Thread.Sleep(100); // synchronous application code, holding the kthread but not the stack
                _blockingFinished = true;
                return;
            }
            using (instance.EnterStack()) connection.Send(request.AsSpan(0, length));
        }

        public void OnConnected(TcpConnection connection)
        {
        }

        public void OnWritable(TcpConnection connection)
        {
        }

        public void OnClosed(TcpConnection connection)
        {
        }
    }

    private sealed class ClientObserver : ITcpConnectionObserver
    {
        public ManualResetEventSlim Echoed { get; } = new();

        public void OnReadable(TcpConnection connection)
        {
            Span<byte> buffer = stackalloc byte[16];
            if (connection.Receive(buffer) > 0 && buffer[0] == (byte)'E') Echoed.Set();
        }

        public void OnConnected(TcpConnection connection)
        {
        }

        public void OnWritable(TcpConnection connection)
        {
        }

        public void OnClosed(TcpConnection connection)
        {
        }
    }
}

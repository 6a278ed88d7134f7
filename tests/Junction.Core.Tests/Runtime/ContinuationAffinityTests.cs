using System.Buffers;
using System.IO.Pipelines;
using Junction.Runtime;
using Junction.Stack.Udp;

namespace Junction.Tests.Runtime;

public sealed class ContinuationAffinityTests
{
    [Fact]
    public void Await_resumes_on_the_kthread_that_received_the_packet()
    {
        using var lab = new RuntimeLab();
        RuntimeInstance server = lab.Add(1, new RuntimeInstanceOptions { MaxKthreads = 1 });
        RuntimeInstance client = lab.Add(2);
        var observer = new SignallingObserver();
        UdpSocket socket = RuntimeLab.Await(server.InvokeAsync(() =>
        {
            UdpSocket s = server.Stack.UdpBind(7000);
            s.Observer = observer;
            return s;
        }));
        var resumed = new TaskCompletionSource<(int Thread, RuntimeInstance? Instance)>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Post(() => _ = ResumeAfterReadableAsync());

        async Task ResumeAfterReadableAsync()
        {
            await observer.Readable.Task;
            resumed.SetResult((Environment.CurrentManagedThreadId, RuntimeInstance.Current));
        }

        UdpSocket sender = RuntimeLab.Await(client.InvokeAsync(() => client.Stack.UdpBind(7001)));
        RuntimeLab.Await(client.InvokeAsync(() => sender.SendTo("ping"u8, server.Stack.Address, 7000)));

        (int thread, RuntimeInstance? instance) = RuntimeLab.Await(resumed.Task);
        Assert.Same(server, instance);
        Assert.Equal(observer.ObserverThread, thread);
        Assert.Equal(1, socket.QueuedDatagrams);
    }

    [Fact]
    public void Pipe_reader_scheduled_on_the_instance_resumes_on_the_receiving_kthread()
    {
        using var lab = new RuntimeLab();
        RuntimeInstance server = lab.Add(1, new RuntimeInstanceOptions { MaxKthreads = 1 });
        RuntimeInstance client = lab.Add(2);
        var pipe = new Pipe(new PipeOptions(readerScheduler: server.Scheduler, writerScheduler: server.Scheduler, useSynchronizationContext: false));
        var observer = new PipeFeedingObserver(pipe.Writer);
        RuntimeLab.Await(server.InvokeAsync(() => server.Stack.UdpBind(7000).Observer = observer));
        var read = new TaskCompletionSource<(int Thread, RuntimeInstance? Instance, long Length)>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Post(() => _ = ReadAsync());

        async Task ReadAsync()
        {
            ReadResult result = await pipe.Reader.ReadAsync();
            read.SetResult((Environment.CurrentManagedThreadId, RuntimeInstance.Current, result.Buffer.Length));
            pipe.Reader.AdvanceTo(result.Buffer.End);
        }

        UdpSocket sender = RuntimeLab.Await(client.InvokeAsync(() => client.Stack.UdpBind(7001)));
        RuntimeLab.Await(client.InvokeAsync(() => sender.SendTo("hello"u8, server.Stack.Address, 7000)));

        (int thread, RuntimeInstance? instance, long length) = RuntimeLab.Await(read.Task);
        Assert.Same(server, instance);
        Assert.Equal(observer.ObserverThread, thread);
        Assert.Equal(5, length);
    }

    [Fact]
    public void InvokeAsync_runs_on_a_kthread_of_the_instance_holding_the_stack()
    {
        using var lab = new RuntimeLab();
        RuntimeInstance instance = lab.Add(1);

        (RuntimeInstance? current, int caller) = RuntimeLab.Await(instance.InvokeAsync(() => (RuntimeInstance.Current, Environment.CurrentManagedThreadId)));

        Assert.Same(instance, current);
        Assert.NotEqual(Environment.CurrentManagedThreadId, caller);
    }

    private sealed class SignallingObserver : IUdpObserver
    {
        public TaskCompletionSource Readable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int ObserverThread { get; private set; }

        public void OnReadable(UdpSocket socket)
        {
            ObserverThread = Environment.CurrentManagedThreadId;
            Readable.TrySetResult();
        }
    }

    private sealed class PipeFeedingObserver(PipeWriter writer) : IUdpObserver
    {
        private readonly byte[] _buffer = new byte[2048];

        public int ObserverThread { get; private set; }

        public void OnReadable(UdpSocket socket)
        {
            ObserverThread = Environment.CurrentManagedThreadId;
            while (socket.TryReceiveFrom(_buffer, out int copied, out _, out _, out _))
            {
                writer.Write(_buffer.AsSpan(0, copied));
            }
            ValueTask<FlushResult> flush = writer.FlushAsync();
            Assert.True(flush.IsCompleted); // far below the pause threshold: completes at once
        }
    }
}

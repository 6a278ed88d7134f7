using Junction.Devices.Memory;
using Junction.Stack;
using Junction.Stack.Udp;
using Junction.Wire;

namespace Junction.Interop.Tests.Infrastructure;

public sealed class StackThreadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Invoke_runs_on_the_stack_thread_and_returns_the_result()
    {
        using var thread = new StackThread("test");

        int id = thread.Invoke(() => Environment.CurrentManagedThreadId);
        bool inside = thread.Invoke(() => thread.IsCurrentThread);

        Assert.NotEqual(Environment.CurrentManagedThreadId, id);
        Assert.True(inside);
        Assert.Equal(42, thread.Invoke(() => thread.Invoke(() => 42)));
    }

    [Fact]
    public void Post_runs_actions_in_order()
    {
        using var thread = new StackThread("test");
        var seen = new List<int>();

        for (int i = 0; i < 100; i++)
        {
            int value = i;
            thread.Post(() => seen.Add(value));
        }
        int[] result = thread.Invoke(() => seen.ToArray());

        Assert.Equal(Enumerable.Range(0, 100), result);
    }

    [Fact]
    public void Invoke_rethrows_what_the_call_threw_and_the_thread_keeps_running()
    {
        using var thread = new StackThread("test");

        Assert.Throws<FormatException>(() => thread.Invoke<int>(() => throw new FormatException()));

        Assert.Equal(1, thread.Invoke(() => 1));
    }

    [Fact]
    public void A_failing_post_stops_the_thread_and_the_next_call_reports_it()
    {
        var thread = new StackThread("test");
        thread.Post(() => throw new FormatException("posted"));

        Assert.True(SpinWait.SpinUntil(() =>
        {
            try
            {
                thread.Invoke(() => 0);
                return false;
            }
            catch (FormatException e)
            {
                return e.Message == "posted";
            }
        }, Patience));
        thread.Dispose();
    }

    [Fact]
    public void Dispose_stops_the_thread_and_later_calls_fail()
    {
        var thread = new StackThread("test");
        thread.Invoke(() => 0);

        thread.Dispose();

        Assert.Throws<ObjectDisposedException>(() => thread.Invoke(() => 0));
    }

    [Fact]
    public void OnStart_runs_first_on_the_thread()
    {
        int startedOn = 0;
        using var thread = new StackThread("test", onStart: () => startedOn = Environment.CurrentManagedThreadId);

        Assert.Equal(thread.Invoke(() => Environment.CurrentManagedThreadId), startedOn);
    }

    [Fact]
    public void Drives_two_stacks_in_real_time_until_a_datagram_crosses_and_a_poller_sees_time_advance()
    {
        using var network = new VirtualSwitch(TimeProvider.System);
        using var thread = new StackThread("test");
        Ipv4Address addressA = Ipv4Address.Parse("10.9.0.1");
        Ipv4Address addressB = Ipv4Address.Parse("10.9.0.2");
        VirtualPort portA = network.CreatePort(MacAddress.LocallyAdministered(1));
        VirtualPort portB = network.CreatePort(MacAddress.LocallyAdministered(2));
        var (a, b) = thread.Invoke(() => (
            new NetStack(portA, new NetStackOptions { Address = addressA, Seed = 1 }, thread.Now),
            new NetStack(portB, new NetStackOptions { Address = addressB, Seed = 2 }, thread.Now)));
        thread.Add(a);
        thread.Add(b);
        Instant first = default;
        Instant last = default;
        thread.AddPoller(now =>
        {
            if (first == default) first = now;
            last = now;
        });
        (UdpSocket sender, UdpSocket receiver) = thread.Invoke(() => (a.UdpBind(), b.UdpBind(7000)));

        // The first datagram waits for ARP, which the thread's polling resolves without help from the test.
        Assert.True(thread.Invoke(() => sender.SendTo("hello"u8, addressB, 7000)));
        byte[] buffer = new byte[16];
        int length = 0;
        Assert.True(thread.WaitUntil(() => receiver.TryReceiveFrom(buffer, out length, out _, out _, out _), Patience));
        Assert.True(thread.WaitUntil(() => last - first >= TimeSpan.FromMilliseconds(5), Patience));

        Assert.Equal("hello"u8.ToArray(), buffer[..length]);
        thread.Invoke(() =>
        {
            sender.Dispose();
            receiver.Dispose();
            thread.Remove(a);
            thread.Remove(b);
            a.Dispose();
            b.Dispose();
        });
        Assert.Equal(portA.Pool.FrameCount, portA.Pool.FreeCount);
        Assert.Equal(portB.Pool.FrameCount, portB.Pool.FreeCount);
    }
}

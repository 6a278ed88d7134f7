using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Tests.Runtime;

/// <summary>A runtime with instances on one real-time virtual switch, each port with a small pool.</summary>
internal sealed class RuntimeLab : IDisposable
{
    private static readonly VirtualPortOptions SmallPort = new() { FrameCount = 1024, QueueCapacity = 1024 };
    private readonly List<RuntimeInstance> _instances = [];

    public RuntimeLab(JunctionRuntimeOptions? options = null)
    {
        Switch = VirtualSwitch.CreateRealTime();
        Runtime = new JunctionRuntime(options ?? new JunctionRuntimeOptions { MaxKthreads = 4 });
    }

    public VirtualSwitch Switch { get; }

    public JunctionRuntime Runtime { get; }

    public RuntimeInstance Add(int host, RuntimeInstanceOptions? options = null)
    {
        VirtualPort port = Switch.CreatePort(MacAddress.LocallyAdministered((uint)host), SmallPort);
        var stackOptions = new NetStackOptions { Address = new Ipv4Address(10, 7, 0, (byte)host), Seed = host };
        RuntimeInstance instance = Runtime.CreateInstance(port, stackOptions, options);
        _instances.Add(instance);
        return instance;
    }

    /// <summary>Waits for <paramref name="task"/> with a generous bound, so a hang fails the test instead of the run.</summary>
    public static T Await<T>(Task<T> task)
    {
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "The runtime did not complete the operation within 10 s.");
        return task.Result;
    }

    /// <summary>Polls <paramref name="condition"/> for up to 10 s.</summary>
    public static bool Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(1);
        }
        return true;
    }

    public void Dispose()
    {
        Runtime.Dispose();
        Switch.Dispose();
    }
}

using Junction.Devices;
using Junction.Devices.Xdp;
using Junction.Interop.Tests.Infrastructure;
using Junction.Lab;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Interop.Tests.Runtime;

/// <summary>
/// A lab whose server side is one <see cref="RuntimeInstance"/> on an <see cref="XdpDevice"/> opened in the server
/// namespace, scheduled by a <see cref="JunctionRuntime"/> of its own (kthreads that park on the XSK descriptor).
/// Disposing stops the runtime, closes the device (checking every frame came back) and removes the lab.
/// </summary>
internal sealed class RuntimeXdpInstance : IDisposable
{
    private bool _disposed;

    private RuntimeXdpInstance(JunctionLab lab, XdpDevice device, JunctionRuntime runtime, RuntimeInstance instance)
    {
        Lab = lab;
        Device = device;
        Runtime = runtime;
        Instance = instance;
    }

    public JunctionLab Lab { get; }

    public XdpDevice Device { get; }

    public JunctionRuntime Runtime { get; }

    public RuntimeInstance Instance { get; }

    public Ipv4Address Address => Lab.JunctionAddress;

    public static RuntimeXdpInstance Start(int maxKthreads = 2)
    {
        JunctionLab lab = RootRequired.CreateLab();
        XdpDevice? device = null;
        JunctionRuntime? runtime = null;
        try
        {
            var options = new XdpDeviceOptions
            {
                InterfaceName = lab.Server.Interface,
                NetworkNamespace = "/run/netns/" + lab.Server.Namespace,
            };
            options.Addresses.Add(lab.JunctionAddress);
            device = XdpDevice.Open(options);
            runtime = new JunctionRuntime(new JunctionRuntimeOptions { MaxKthreads = maxKthreads });
            var stackOptions = new NetStackOptions { Address = lab.JunctionAddress, PrefixLength = JunctionLab.PrefixLength, Seed = 1 };
            RuntimeInstance instance = runtime.CreateInstance(device, stackOptions, new RuntimeInstanceOptions { MaxKthreads = maxKthreads });
            return new RuntimeXdpInstance(lab, device, runtime, instance);
        }
        catch
        {
            runtime?.Dispose();
            device?.Dispose();
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="function"/> on a thread in the client namespace (sockets made there are the Linux peer's).</summary>
    public T OnLinux<T>(Func<T> function) => Lab.RunInNamespace(LabSide.Client, function);

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
        if (_disposed) return;
        _disposed = true;
        FramePool pool = Device.Pool;
        try
        {
            Runtime.Dispose();
        }
        finally
        {
            Device.Dispose();
            Lab.Dispose();
        }
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }
}

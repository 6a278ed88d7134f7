using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Devices.Xdp;
using Junction.Lab;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Cli.Hosting;

/// <summary>
/// One Junction instance the command serves from, as a Junction application deploys it: a
/// <see cref="RuntimeInstance"/> of its own <see cref="JunctionRuntime"/> on a device (an AF_XDP socket on a lab
/// veth, or a port of the in-process virtual switch), optionally behind a pcap capture. Its kthreads poll while
/// there is work and park in epoll on the device's descriptor when idle. Services run as uthreads of
/// <see cref="Instance"/> (<see cref="Run(Func{Task})"/>) over the Sockets API.
/// </summary>
internal sealed class JunctionHost : IDisposable
{
    private readonly JunctionRuntime _runtime;
    private readonly List<IDisposable> _owned;

    private JunctionHost(JunctionRuntime runtime, RuntimeInstance instance, string description, List<IDisposable> owned, IReadOnlyList<string> notes)
    {
        _runtime = runtime;
        Instance = instance;
        Description = description;
        _owned = owned;
        Notes = notes;
    }

    /// <summary>The instance's address.</summary>
    public Ipv4Address Address => Instance.Stack.Address;

    /// <summary>The runtime instance: its stack, task scheduler and statistics.</summary>
    public RuntimeInstance Instance { get; }

    /// <summary>What carries the frames and how it is scheduled, e.g. "AF_XDP (DriverCopy) on jndemos queue 0, runtime: 2 kthreads …".</summary>
    public string Description { get; }

    /// <summary>What the XDP set-up had to say (fallbacks it took).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Attaches the steering program to the lab's server-side veth and runs an instance at <paramref name="address"/> on queue 0.</summary>
    /// <exception cref="XdpException">AF_XDP is not available on this kernel or interface.</exception>
    public static JunctionHost OpenXdp(JunctionLab lab, Ipv4Address address, HostSettings settings) =>
        OpenXdp(lab.Server.Interface, lab.Server.Namespace, address, JunctionLab.PrefixLength, settings);

    /// <summary>Runs an instance at <paramref name="address"/> on queue 0 of <paramref name="interfaceName"/> in the named network namespace (null: this process's); a <paramref name="client"/> instance has its own seed.</summary>
    public static JunctionHost OpenXdp(string interfaceName, string? namespaceName, Ipv4Address address, int prefixLength, HostSettings settings, bool client = false)
    {
        var options = new XdpDeviceOptions
        {
            InterfaceName = interfaceName,
            NetworkNamespace = namespaceName is null ? null : "/run/netns/" + namespaceName,
            AttachMode = settings.AttachMode,
            // The receive buffer holds received frames themselves (zero-copy), so the UMEM must outsize it.
            FrameCount = 16384,
            FillRingSize = 4096,
            CompletionRingSize = 4096,
            RxRingSize = 2048,
            TxRingSize = 2048,
            TransmitReserve = 2048,
            MaxSockets = 16,
        };
        XdpInterface xdp = XdpInterface.Open(options);
        var owned = new List<IDisposable> { xdp };
        try
        {
            XdpDevice device = xdp.OpenPort(0).AddDevice(address);
            owned.Insert(0, device);
            string description = $"AF_XDP ({device.Mode}) on {(namespaceName is null ? "" : namespaceName + "/")}{interfaceName} queue 0";
            return Start(device, address, prefixLength, settings, description, owned, xdp.Notes, client);
        }
        catch
        {
            foreach (IDisposable item in owned) item.Dispose();
            throw;
        }
    }

    /// <summary>Runs an instance at <paramref name="address"/> on a new port of <paramref name="network"/> (a real-time switch; no root needed).</summary>
    public static JunctionHost OpenOnSwitch(VirtualSwitch network, MacAddress mac, Ipv4Address address, HostSettings settings, bool client = false)
    {
        VirtualPort port = network.CreatePort(mac);
        try
        {
            return Start(port, address, JunctionLab.PrefixLength, settings, "the in-process virtual switch", [port], [], client);
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }

    /// <summary>Starts <paramref name="loop"/> as a uthread of the instance; its awaits resume on the instance's kthreads.</summary>
    public Task Run(Func<Task> loop) => Run(Instance, loop);

    /// <summary>Starts <paramref name="loop"/> as a uthread of <paramref name="instance"/>.</summary>
    public static Task Run(RuntimeInstance instance, Func<Task> loop) =>
        Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.DenyChildAttach, instance.TaskScheduler).Unwrap();

    /// <summary>Starts <paramref name="loop"/> as a uthread of the instance and completes with its result.</summary>
    public Task<T> Run<T>(Func<Task<T>> loop) =>
        Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Instance.TaskScheduler).Unwrap();

    /// <summary>Stops the kthreads and the instance (its stack gives every frame back), then the capture and the device.</summary>
    public void Dispose()
    {
        _runtime.Dispose();
        foreach (IDisposable item in _owned) item.Dispose();
    }

    private static JunctionHost Start(INetDevice device, Ipv4Address address, int prefixLength, HostSettings settings, string description, List<IDisposable> owned, IReadOnlyList<string> notes, bool client)
    {
        if (settings.PcapPath is { } path)
        {
            var writer = new PcapWriter(path);
            var capture = new CaptureDevice(device, writer, TimeProvider.System, leaveOpen: true);
            // Disposed first: the capture, then its writer (flushes the file), then the device it wraps.
            owned.Insert(0, writer);
            owned.Insert(0, capture);
            device = capture;
            description += $", captured to {path}";
        }
        var runtime = new JunctionRuntime(new JunctionRuntimeOptions
        {
            MaxKthreads = settings.MaxKthreads,
            SpinBeforePark = settings.SpinBeforePark,
        });
        try
        {
            var stackOptions = new NetStackOptions
            {
                Address = address,
                PrefixLength = prefixLength,
                UdpReceiveQueueLength = 4096,
                Seed = client ? 2 : 1,
            };
            stackOptions.Tcp.ReceiveBufferSize = 4 << 20;
            stackOptions.Tcp.SendBufferSize = 1 << 20;
            RuntimeInstance instance = runtime.CreateInstance(device, stackOptions, new RuntimeInstanceOptions { MinKthreads = 1, MaxKthreads = settings.MaxKthreads });
            description += $", runtime of up to {settings.MaxKthreads} kthread{(settings.MaxKthreads == 1 ? "" : "s")} that park{(settings.MaxKthreads == 1 ? "s" : "")} in epoll after {settings.SpinBeforePark.TotalMicroseconds:0} µs idle";
            return new JunctionHost(runtime, instance, description, owned, notes);
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
    }
}

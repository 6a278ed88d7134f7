using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Devices.Xdp;
using Junction.Lab;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Cli.Hosting;

/// <summary>
/// One Junction instance the command serves from: a <see cref="NetStack"/> on a device (an AF_XDP socket on the lab's
/// server-side veth, or a port of the in-process virtual switch), optionally behind a pcap capture, busy-polled by a
/// dedicated <see cref="PollThread"/>. Services attach to <see cref="Stack"/> through <see cref="PollThread.Invoke{T}"/>.
/// </summary>
internal sealed class JunctionHost : IDisposable
{
    private readonly List<IDisposable> _owned;

    private JunctionHost(NetStack stack, PollThread thread, Ipv4Address address, string description, List<IDisposable> owned, IReadOnlyList<string> notes)
    {
        Stack = stack;
        Thread = thread;
        Address = address;
        Description = description;
        _owned = owned;
        Notes = notes;
    }

    /// <summary>The instance's address.</summary>
    public Ipv4Address Address { get; }

    /// <summary>The stack; touch it only on <see cref="Thread"/>.</summary>
    public NetStack Stack { get; }

    /// <summary>The thread that polls the stack and the services' pollers.</summary>
    public PollThread Thread { get; }

    /// <summary>What carries the frames, e.g. "AF_XDP (DriverCopy) on jndemos queue 0".</summary>
    public string Description { get; }

    /// <summary>What the XDP set-up had to say (fallbacks it took).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Attaches the steering program to the lab's server-side veth and runs an instance at <paramref name="address"/> on queue 0.</summary>
    /// <exception cref="XdpException">AF_XDP is not available on this kernel or interface.</exception>
    public static JunctionHost OpenXdp(JunctionLab lab, Ipv4Address address, HostSettings settings) =>
        OpenXdp(lab.Server.Interface, lab.Server.Namespace, address, JunctionLab.PrefixLength, settings);

    /// <summary>Runs an instance at <paramref name="address"/> on queue 0 of <paramref name="interfaceName"/> in the named network namespace (null: this process's); a <paramref name="client"/> instance has its own seed and thread name and is never pinned to the server's CPU.</summary>
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

    /// <summary>Runs an instance at <paramref name="address"/> on a new port of <paramref name="network"/> (no root needed).</summary>
    public static JunctionHost OpenOnSwitch(VirtualSwitch network, MacAddress mac, Ipv4Address address, HostSettings settings, bool client = false)
    {
        VirtualPort port = network.CreatePort(mac);
        return Start(port, address, JunctionLab.PrefixLength, settings, "the in-process virtual switch", [port], [], client);
    }

    public void Dispose()
    {
        Thread.Dispose();
        Stack.Dispose();
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
        var thread = new PollThread(client ? "junction client" : "junction server", settings.YieldWhenIdle, settings.Pin && !client ? Affinity.ServerCpu : null);
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
            NetStack stack = thread.Invoke(() => new NetStack(device, stackOptions, PollThread.Now));
            thread.Add(stack);
            return new JunctionHost(stack, thread, address, description, owned, notes);
        }
        catch
        {
            thread.Dispose();
            throw;
        }
    }
}

using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Devices.Xdp;
using Junction.Interop.Tests.Infrastructure;
using Junction.Lab;
using Junction.Stack;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// A lab with one Junction instance on its server side: an <see cref="XdpDevice"/> on the server veth (optionally
/// wrapped in a <see cref="FaultInjectingDevice"/>), a <see cref="NetStack"/> at <see cref="JunctionLab.JunctionAddress"/>
/// and a <see cref="StackThread"/> driving it. The Linux peer is the client namespace's kernel. Disposing stops the
/// thread, disposes the stack and the device (checking that every frame came back) and removes the lab.
/// </summary>
internal sealed class JunctionInstance : IDisposable
{
    /// <summary>TCP buffers big enough for bulk transfers over the veth (the defaults are 256 KiB).</summary>
    public const int BulkBufferSize = 4 * 1024 * 1024;

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private bool _disposed;

    private JunctionInstance(JunctionLab lab, XdpDevice device, FaultInjectingDevice? faults, StackThread thread, NetStack stack)
    {
        Lab = lab;
        Device = device;
        Faults = faults;
        Thread = thread;
        Stack = stack;
    }

    public JunctionLab Lab { get; }

    public XdpDevice Device { get; }

    /// <summary>The fault injector around <see cref="Device"/>, when the instance was started with faults.</summary>
    public FaultInjectingDevice? Faults { get; }

    public StackThread Thread { get; }

    public NetStack Stack { get; }

    public Ipv4Address Address => Lab.JunctionAddress;

    /// <summary>The Linux peer's address (the client namespace's kernel).</summary>
    public Ipv4Address LinuxAddress => Lab.ClientAddress;

    /// <summary>
    /// Creates a lab and starts an instance in it. <paramref name="tcp"/> defaults to Linux-like settings with
    /// <see cref="BulkBufferSize"/> buffers; <paramref name="receiveFaults"/> and <paramref name="transmitFaults"/>,
    /// when given, impair the frames between the XDP device and the stack.
    /// </summary>
    public static JunctionInstance Start(TcpSettings? tcp = null, FaultSettings? receiveFaults = null, FaultSettings? transmitFaults = null)
    {
        JunctionLab lab = RootRequired.CreateLab();
        XdpDevice? device = null;
        FaultInjectingDevice? faults = null;
        StackThread? thread = null;
        try
        {
            var options = new XdpDeviceOptions
            {
                InterfaceName = lab.Server.Interface,
                NetworkNamespace = "/run/netns/" + lab.Server.Namespace,
                // Received payload stays in its frame until the application reads it, and a 4 MiB window is ~2,900 frames.
                FrameCount = 16384,
                FillRingSize = 4096,
                CompletionRingSize = 4096,
                RxRingSize = 2048,
                TxRingSize = 2048,
                TransmitReserve = 4096,
            };
            options.Addresses.Add(lab.JunctionAddress);
            device = XdpDevice.Open(options);
            INetDevice stackDevice = device;
            if (receiveFaults is not null || transmitFaults is not null)
            {
                faults = new FaultInjectingDevice(device, receiveFaults ?? FaultSettings.None, transmitFaults ?? FaultSettings.None, holdCapacity: 4096, ownsInner: false);
                stackDevice = faults;
            }
            thread = new StackThread("junction " + lab.JunctionAddress);
            var stackOptions = new NetStackOptions
            {
                Address = lab.JunctionAddress,
                PrefixLength = JunctionLab.PrefixLength,
                Seed = 1,
                Tcp = tcp ?? BulkSettings(),
            };
            NetStack stack = thread.Invoke(() => new NetStack(stackDevice, stackOptions, thread.Now));
            thread.Add(stack);
            return new JunctionInstance(lab, device, faults, thread, stack);
        }
        catch
        {
            thread?.Dispose();
            faults?.Dispose();
            device?.Dispose();
            lab.Dispose();
            throw;
        }
    }

    public static TcpSettings BulkSettings() => new() { SendBufferSize = BulkBufferSize, ReceiveBufferSize = BulkBufferSize };

    public T Invoke<T>(Func<T> function) => Thread.Invoke(function);

    public void Invoke(Action action) => Thread.Invoke(action);

    public bool WaitUntil(Func<bool> condition, TimeSpan? timeout = null) => Thread.WaitUntil(condition, timeout ?? Patience);

    /// <summary>Runs a command in the client namespace and returns its exit code and output (standard output, then error).</summary>
    public (int ExitCode, string Output) RunOnLinux(TimeSpan timeout, string fileName, params string[] arguments)
    {
        LabProcess process = Lab.StartProcess(LabSide.Client, fileName, arguments);
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout}: {process.StandardOutput}{process.StandardError}");
        }
        return (process.ExitCode, process.StandardOutput + process.StandardError);
    }

    /// <summary>Runs <paramref name="function"/> on a thread in the client namespace (sockets made there are the Linux peer's).</summary>
    public T OnLinux<T>(Func<T> function) => Lab.RunInNamespace(LabSide.Client, function);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        FramePool pool = Device.Pool;
        try
        {
            Thread.Invoke(() =>
            {
                Thread.Remove(Stack);
                Stack.Dispose();
                Faults?.Dispose();
            });
            Thread.Dispose();
            
        }
        finally
        {
            Device.Dispose();
            Lab.Dispose();
        }
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }
}

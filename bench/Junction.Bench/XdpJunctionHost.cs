using Junction.Devices.Xdp;
using Junction.Lab;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Bench;

/// <summary>
/// One Junction instance on one side of the lab: the steering program attached to that side's veth end, a port on
/// queue 0, a device for <see cref="Address"/>, a <see cref="NetStack"/> on it, and a dedicated thread busy-polling it.
/// </summary>
internal sealed class XdpJunctionHost : IDisposable
{
    private readonly XdpInterface _interface;
    private readonly XdpDevice _device;
    private readonly List<string> _notes = [];

    private XdpJunctionHost(XdpInterface xdp, XdpDevice device, NetStack stack, XdpPollThread thread, Ipv4Address address)
    {
        _interface = xdp;
        _device = device;
        Stack = stack;
        Thread = thread;
        Address = address;
    }

    public Ipv4Address Address { get; }

    public NetStack Stack { get; }

    public XdpPollThread Thread { get; }

    public XdpMode Mode => _device.Mode;

    public IReadOnlyList<string> Notes => _interface.Notes;

    public XdpDevice Device => _device;

    public static XdpJunctionHost Open(JunctionLab lab, LabSide side, Ipv4Address address, XdpAttachMode attachMode, bool yieldWhenIdle)
    {
        LabEndpoint endpoint = lab.GetEndpoint(side);
        var options = new XdpDeviceOptions
        {
            InterfaceName = endpoint.Interface,
            NetworkNamespace = "/run/netns/" + endpoint.Namespace,
            AttachMode = attachMode,
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
        XdpPollThread? thread = null;
        try
        {
            XdpDevice device = xdp.OpenPort(0).AddDevice(address);
            thread = new XdpPollThread($"junction {side}", yieldWhenIdle, side == LabSide.Server ? XdpAffinity.ServerCpu : XdpAffinity.ClientCpu);
            var stackOptions = new NetStackOptions
            {
                Address = address,
                PrefixLength = JunctionLab.PrefixLength,
                UdpReceiveQueueLength = 4096,
                Seed = side == LabSide.Server ? 1 : 2,
            };
            stackOptions.Tcp.ReceiveBufferSize = 4 << 20;
            stackOptions.Tcp.SendBufferSize = 1 << 20;
            NetStack stack = thread.Invoke(() => new NetStack(device, stackOptions, XdpPollThread.Now));
            thread.Add(stack);
            return new XdpJunctionHost(xdp, device, stack, thread, address);
        }
        catch
        {
            thread?.Dispose();
            xdp.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Thread.Dispose();
        Stack.Dispose();
        _device.Dispose();
        _interface.Dispose();
    }
}

using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Stack;

namespace Junction.Transport.Kestrel;

/// <summary>
/// Options of Kestrel's Junction transport: the device and address of its network stack, its kthreads, and the
/// buffers of each connection. Everything but the in-process objects (<see cref="Switch"/>, <see cref="Runtime"/>,
/// <see cref="Instance"/>, <see cref="ConfigureStack"/>) binds from the configuration section "Junction", e.g.
/// <code>"Junction": { "Device": "Xdp", "Address": "10.0.0.2", "PrefixLength": 24, "Xdp": { "InterfaceName": "eth0" } }</code>
/// </summary>
public sealed class JunctionTransportOptions
{
    /// <summary>The configuration section <c>UseJunction</c> binds these options from.</summary>
    public const string ConfigurationSectionName = "Junction";

    /// <summary>What carries the stack's frames: an in-process virtual switch or AF_XDP.</summary>
    public JunctionDevice Device { get; set; } = JunctionDevice.VirtualSwitch;

    /// <summary>The stack's IPv4 address, e.g. "10.0.0.2" (required unless <see cref="Instance"/> is set). Kestrel endpoints on this address go to Junction.</summary>
    public string? Address { get; set; }

    /// <summary>The length of the subnet prefix of <see cref="Address"/>.</summary>
    public int PrefixLength { get; set; } = 24;

    /// <summary>The default gateway, or null for none (only the subnet is reachable).</summary>
    public string? Gateway { get; set; }

    /// <summary>
    /// The stack's Ethernet address, "02:00:00:00:00:01". On the virtual switch null derives a locally administered
    /// one from <see cref="Address"/>; AF_XDP always uses the interface's own address (a different value is an error).
    /// </summary>
    public string? MacAddress { get; set; }

    /// <summary>The largest IP packet, or 0 for the device's MTU.</summary>
    public int Mtu { get; set; }

    /// <summary>The AF_XDP interface and queue (for <see cref="JunctionDevice.Xdp"/>).</summary>
    public JunctionXdpOptions Xdp { get; set; } = new();

    /// <summary>Frames of the virtual switch port's own pool (for <see cref="JunctionDevice.VirtualSwitch"/>).</summary>
    public int VirtualPortFrameCount { get; set; } = 8192;

    /// <summary>
    /// Whether Junction also takes endpoints on the wildcard addresses (0.0.0.0 and [::], as <c>ListenAnyIP</c> and
    /// <c>http://*:port</c> bind): they are then served on <see cref="Address"/> only, and nothing is bound in the kernel.
    /// False leaves them to Kestrel's Sockets transport.
    /// </summary>
    public bool ServeAnyAddress { get; set; }

    /// <summary>How many kthreads the stack gets at once when it wakes up.</summary>
    public int MinKthreads { get; set; } = 1;

    /// <summary>The most kthreads the stack runs on when its queues back up (and the size of a runtime the transport creates).</summary>
    public int MaxKthreads { get; set; } = 2;

    /// <summary>What the kthreads of a runtime the transport creates are made of.</summary>
    public KthreadMode KthreadMode { get; set; } = KthreadMode.DedicatedThreads;

    /// <summary>
    /// The most received bytes a connection holds for Kestrel before the TCP window closes (the receive buffer),
    /// or null for the stack's default (<see cref="Stack.Tcp.TcpSettings.ReceiveBufferSize"/>).
    /// </summary>
    public long? MaxReadBufferSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// The most bytes written and not yet acknowledged by the peer before Kestrel's flush waits, or null for the
    /// send buffer's size (<see cref="Stack.Tcp.TcpSettings.SendBufferSize"/>). Unlike Sockets' pipe, this counts
    /// what the kernel's socket buffer would hold too: the connection's device frames are the only send buffer.
    /// </summary>
    public long? MaxWriteBufferSize { get; set; }

    /// <summary>The send buffer of each connection in bytes (held in device frames), or null for the stack's default.</summary>
    public int? SendBufferSize { get; set; }

    /// <summary>The most connections waiting to be accepted per endpoint.</summary>
    public int Backlog { get; set; } = 512;

    /// <summary>Whether Nagle's algorithm is off (Kestrel's Sockets transport turns it off too).</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>
    /// Whether Kestrel's connection loops resume on the instance's kthreads after each read (as uthreads) instead of
    /// on the thread pool: requests are parsed and answered where their packets arrived, and the responses written in
    /// one round leave together (pipelined responses share segments). Turn it off for handlers that block.
    /// </summary>
    public bool ResumeOnRuntime { get; set; } = true;

    /// <summary>The virtual switch to plug the stack into (for <see cref="JunctionDevice.VirtualSwitch"/>, unless <see cref="Instance"/> is set).</summary>
    public VirtualSwitch? Switch { get; set; }

    /// <summary>A runtime to create the stack's instance in; null creates one the transport owns.</summary>
    public JunctionRuntime? Runtime { get; set; }

    /// <summary>
    /// An instance the application created and keeps owning; when set the transport serves on it and ignores the
    /// device, address and kthread options.
    /// </summary>
    public RuntimeInstance? Instance { get; set; }

    /// <summary>Adjusts the stack's options (TCP settings, ARP) before it is created.</summary>
    public Action<NetStackOptions>? ConfigureStack { get; set; }
}

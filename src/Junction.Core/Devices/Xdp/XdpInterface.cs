using System.Globalization;
using System.Text;
using Junction.Interop;
using Junction.Wire;

namespace Junction.Devices.Xdp;

/// <summary>
/// AF_XDP on one network interface: the steering XDP program (assembled here, no clang), its two maps and the BPF link
/// that attaches it, and the <see cref="XdpPort"/>s (one per queue) whose devices the program feeds. The program
/// redirects IPv4 frames for, and ARP frames asking about, a steered address to that address's socket on the receiving
/// queue; every other frame goes to the kernel, so the host keeps using the interface.
/// </summary>
/// <remarks>
/// The link detaches the program when its descriptor closes — on <see cref="Dispose"/> or when the process dies.
/// Opening ports and devices is thread-safe; the packet path of a port's devices is driven by one thread at a time.
/// With <see cref="XdpDeviceOptions.NetworkNamespace"/> set, one parked thread inside that namespace creates the sockets.
/// </remarks>
public sealed unsafe class XdpInterface : IDisposable
{
    private const int MaxVerifierLogBytes = 16 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly XdpDeviceOptions _options;
    private readonly Stack<int> _freeSlots;
    private readonly Dictionary<int, XdpPort> _ports = [];
    private readonly List<string> _notes = [];
    private NetworkNamespace? _namespace;
    private SafeFileDescriptorHandle? _socketMap;
    private SafeFileDescriptorHandle? _steeringMap;
    private SafeFileDescriptorHandle? _program;
    private SafeFileDescriptorHandle? _link;
    private bool _disposed;

    private XdpInterface(XdpDeviceOptions options)
    {
        _options = options;
        _freeSlots = new Stack<int>(options.MaxSockets);
        for (int slot = options.MaxSockets - 1; slot >= 0; slot--) _freeSlots.Push(slot);
        Name = options.InterfaceName;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>The interface index in its network namespace.</summary>
    public int Index { get; private set; }

    /// <summary>The interface's hardware address.</summary>
    public MacAddress MacAddress { get; private set; }

    /// <summary>The interface MTU.</summary>
    public int Mtu { get; private set; }

    /// <summary>Whether the program runs in the driver (native) rather than in generic (SKB) mode.</summary>
    public bool IsNativeMode { get; private set; }

    /// <summary>The set-up decisions taken (each mode fallback and why), also sent to <see cref="XdpDeviceOptions.Log"/>.</summary>
    public IReadOnlyList<string> Notes
    {
        get
        {
            lock (_gate) return [.. _notes];
        }
    }

    internal XdpDeviceOptions Options => _options;

    /// <summary>
    /// Finds the interface (in <see cref="XdpDeviceOptions.NetworkNamespace"/> if set), creates the steering maps, loads the
    /// XDP program and attaches it — in the driver if possible, else generic, as <see cref="XdpDeviceOptions.AttachMode"/> allows.
    /// </summary>
    /// <exception cref="XdpException">A capability is missing, the interface does not exist or the kernel refused a step; the message says what to do.</exception>
    public static XdpInterface Open(XdpDeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("AF_XDP exists only on Linux.");
        options.Validate();
        var xdp = new XdpInterface(options.Clone());
        try
        {
            xdp._namespace = new NetworkNamespace(options.NetworkNamespace);
            xdp._namespace.Run(xdp.SetUp);
            return xdp;
        }
        catch
        {
            xdp.Dispose();
            throw;
        }
    }

    /// <summary>Opens queue <paramref name="queueId"/>: its UMEM, fill and completion rings (one port per queue).</summary>
    public XdpPort OpenPort(int queueId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(queueId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_ports.ContainsKey(queueId)) throw new InvalidOperationException($"Queue {queueId} of {Name} is already open.");
            var port = new XdpPort(this, queueId);
            _ports.Add(queueId, port);
            return port;
        }
    }

    /// <summary>Detaches the program (closing the link), then closes the ports, maps and program.</summary>
    public void Dispose()
    {
        XdpPort[] ports;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            ports = [.. _ports.Values];
        }
        foreach (XdpPort port in ports) port.Dispose();
        _link?.Dispose();
        _program?.Dispose();
        _steeringMap?.Dispose();
        _socketMap?.Dispose();
        _namespace?.Dispose();
    }

    internal void Note(string line)
    {
        lock (_gate) _notes.Add(line);
        _options.Log?.Invoke(line);
    }

    internal void PortClosed(XdpPort port)
    {
        lock (_gate)
        {
            if (_ports.TryGetValue(port.QueueId, out XdpPort? open) && open == port) _ports.Remove(port.QueueId);
        }
    }

    /// <summary>Creates an AF_XDP socket in the interface's network namespace.</summary>
    internal SafeFileDescriptorHandle CreateSocket() => _namespace!.Run(XdpSocket.Create);

    /// <summary>Puts <paramref name="socket"/> in the socket map and steers each address on <paramref name="queueId"/> to it.</summary>
    /// <returns>The socket's slot in the map.</returns>
    internal int AddSteering(SafeFileDescriptorHandle socket, ReadOnlySpan<Ipv4Address> addresses, int queueId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_freeSlots.Count == 0) throw new InvalidOperationException($"All {_options.MaxSockets} sockets of {Name} are in use; raise MaxSockets.");
            int slot = _freeSlots.Pop();
            uint key = (uint)slot, fd = (uint)socket.Fd;
            if (Bpf.MapUpdate(_socketMap!.Fd, &key, &fd, Bpf.BPF_ANY) != 0)
            {
                int errno = Errno.Last;
                _freeSlots.Push(slot);
                throw new XdpException($"Adding the socket to the XSKMAP failed: {Errno.Describe(errno)}.", errno);
            }
            byte* steeringKey = stackalloc byte[SteeringProgram.KeySize];
            for (int i = 0; i < addresses.Length; i++)
            {
                SteeringProgram.WriteKey(new Span<byte>(steeringKey, SteeringProgram.KeySize), addresses[i], queueId);
                if (Bpf.MapUpdate(_steeringMap!.Fd, steeringKey, &key, Bpf.BPF_NOEXIST) == 0) continue;
                int errno = Errno.Last;
                RemoveSteeringLocked(slot, addresses[..i], queueId);
                if (errno == Errno.EEXIST) throw new InvalidOperationException($"{addresses[i]} is already steered to another device on queue {queueId} of {Name}.");
                throw new XdpException($"Steering {addresses[i]} failed: {Errno.Describe(errno)}{(errno == Errno.E2BIG ? "; raise MaxSockets" : "")}.", errno);
            }
            return slot;
        }
    }

    /// <summary>Stops steering the addresses and frees the socket's slot.</summary>
    internal void RemoveSteering(int slot, ReadOnlySpan<Ipv4Address> addresses, int queueId)
    {
        lock (_gate)
        {
            if (_steeringMap is null || _steeringMap.IsClosed) return;
            RemoveSteeringLocked(slot, addresses, queueId);
        }
    }

    /// <summary>Runs the steering program once over <paramref name="frame"/> as if it arrived on queue 0 (BPF_PROG_TEST_RUN).</summary>
    /// <returns>The XDP action: 2 (pass) or 4 (redirect).</returns>
    internal int RunProgram(ReadOnlySpan<byte> frame)
    {
        int action = Bpf.TestRunXdp(_program!.Fd, frame);
        if (action < 0)
        {
            int errno = Errno.Last;
            throw new XdpException($"BPF_PROG_TEST_RUN failed: {Errno.Describe(errno)}.", errno);
        }
        return action;
    }

    private void RemoveSteeringLocked(int slot, ReadOnlySpan<Ipv4Address> addresses, int queueId)
    {
        // Addresses first: from then on the program passes their frames to the kernel instead of an emptied slot.
        byte* steeringKey = stackalloc byte[SteeringProgram.KeySize];
        for (int i = 0; i < addresses.Length; i++)
        {
            SteeringProgram.WriteKey(new Span<byte>(steeringKey, SteeringProgram.KeySize), addresses[i], queueId);
            Bpf.MapDelete(_steeringMap!.Fd, steeringKey);
        }
        uint key = (uint)slot;
        Bpf.MapDelete(_socketMap!.Fd, &key);
        _freeSlots.Push(slot);
    }

    private bool SetUp()
    {
        uint index = Libc.IfNameToIndex(Name);
        if (index == 0)
        {
            string where = _options.NetworkNamespace is null ? "this network namespace" : $"network namespace {_options.NetworkNamespace}";
            throw new XdpException($"Interface '{Name}' does not exist in {where}: check the name with 'ip link'.", Errno.ENODEV);
        }
        Index = (int)index;
        ReadLinkProperties();
        _socketMap = CreateMap(Bpf.BPF_MAP_TYPE_XSKMAP, 4, 4, "junction_xsks");
        _steeringMap = CreateMap(Bpf.BPF_MAP_TYPE_HASH, SteeringProgram.KeySize, 4, "junction_steer");
        _program = LoadProgram(SteeringProgram.Assemble(_steeringMap.Fd, _socketMap.Fd), "junction_steer");
        _link = Attach();
        return true;
    }

    private void ReadLinkProperties()
    {
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Errno.Last;
            throw new XdpException($"Creating a socket to query {Name} failed: {Errno.Describe(errno)}.", errno);
        }
        try
        {
            Libc.IfReq request = default;
            Encoding.ASCII.GetBytes(Name, new Span<byte>(request.Name, 15));
            if (Libc.Ioctl(fd, Libc.SIOCGIFHWADDR, &request) != 0)
            {
                int errno = Errno.Last;
                throw new XdpException($"Reading the hardware address of {Name} failed: {Errno.Describe(errno)}.", errno);
            }
            // struct sockaddr: a 2-byte family, then the six address bytes.
            MacAddress = MacAddress.Read(new ReadOnlySpan<byte>(request.Union + 2, 6));
            if (Libc.Ioctl(fd, Libc.SIOCGIFMTU, &request) != 0)
            {
                int errno = Errno.Last;
                throw new XdpException($"Reading the MTU of {Name} failed: {Errno.Describe(errno)}.", errno);
            }
            Mtu = *(int*)request.Union;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private SafeFileDescriptorHandle CreateMap(uint type, uint keySize, uint valueSize, string name)
    {
        int fd = Bpf.MapCreate(type, keySize, valueSize, (uint)_options.MaxSockets, name);
        if (fd >= 0) return new SafeFileDescriptorHandle(fd);
        int errno = Errno.Last;
        throw errno switch
        {
            Errno.EPERM or Errno.EACCES => new XdpException(
                "Creating BPF maps needs CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN: run as root or grant them, e.g. setcap cap_net_raw,cap_net_admin,cap_bpf,cap_ipc_lock+ep on the executable.", errno),
            Errno.ENOMEM => new XdpException(
                $"The kernel refused the {name} map for want of memory ({Errno.Describe(errno)}): lower MaxSockets, or on kernels before 5.11 raise RLIMIT_MEMLOCK (ulimit -l unlimited).", errno),
            _ => new XdpException($"Creating the {name} BPF map failed: {Errno.Describe(errno)}.", errno),
        };
    }

    private static SafeFileDescriptorHandle LoadProgram(ulong[] instructions, string name)
    {
        int fd = Bpf.ProgramLoad(Bpf.BPF_PROG_TYPE_XDP, instructions, "Dual MIT/GPL", name, []);
        if (fd >= 0) return new SafeFileDescriptorHandle(fd);
        int errno = Errno.Last;
        // The verifier also answers EACCES: only a rejection without a log is a missing capability.
        if (IsVerifierRejection(instructions, name, out string log))
            throw new XdpException($"The kernel rejected the XDP program ({Errno.Describe(errno)}). Verifier log:\n{log}", errno);
        if (errno is Errno.EPERM or Errno.EACCES)
        {
            throw new XdpException(
                "Loading the XDP program needs CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN: run as root or grant them, e.g. setcap cap_net_raw,cap_net_admin,cap_bpf,cap_ipc_lock+ep on the executable.", errno);
        }
        throw new XdpException($"Loading the XDP program failed: {Errno.Describe(errno)}.", errno);
    }

    /// <summary>Loads the program again with a verifier log; true if it was rejected with a log to show.</summary>
    internal static bool IsVerifierRejection(ulong[] instructions, string name, out string log)
    {
        for (int size = 64 * 1024; size <= MaxVerifierLogBytes; size *= 4)
        {
            byte[] buffer = new byte[size];
            int fd = Bpf.ProgramLoad(Bpf.BPF_PROG_TYPE_XDP, instructions, "Dual MIT/GPL", name, buffer);
            int errno = fd < 0 ? Errno.Last : 0;
            if (fd >= 0) Libc.Close(fd);
            if (errno == Errno.ENOSPC) continue;
            int length = Array.IndexOf(buffer, (byte)0);
            log = Encoding.ASCII.GetString(buffer, 0, length < 0 ? buffer.Length : length).TrimEnd();
            return fd < 0 && log.Length > 0;
        }
        log = "(the log did not fit in 16 MiB)";
        return true;
    }

    private SafeFileDescriptorHandle Attach()
    {
        int errno;
        if (_options.AttachMode != XdpAttachMode.Generic)
        {
            int fd = Bpf.LinkCreateXdp(_program!.Fd, Index, Bpf.XDP_FLAGS_DRV_MODE);
            if (fd >= 0)
            {
                IsNativeMode = true;
                return new SafeFileDescriptorHandle(fd);
            }
            errno = Errno.Last;
            ThrowIfAttachImpossible(errno);
            if (_options.AttachMode == XdpAttachMode.Native)
                throw new XdpException($"The driver of {Name} refused native XDP ({Errno.Describe(errno)}): use AttachMode Auto or Generic.", errno);
            Note($"{Name}: native XDP refused ({Errno.Describe(errno)}); attaching in generic (SKB) mode.");
        }
        int generic = Bpf.LinkCreateXdp(_program!.Fd, Index, Bpf.XDP_FLAGS_SKB_MODE);
        if (generic >= 0) return new SafeFileDescriptorHandle(generic);
        errno = Errno.Last;
        ThrowIfAttachImpossible(errno);
        throw new XdpException($"Attaching the XDP program to {Name} failed: {Errno.Describe(errno)}.", errno);
    }

    private void ThrowIfAttachImpossible(int errno)
    {
        if (errno is Errno.EBUSY or Errno.EEXIST)
        {
            throw new XdpException(
                $"{Name} already has an XDP program attached ({Errno.Describe(errno)}): detach it (ip link set dev {Name} xdp off) or stop the process that holds it.", errno);
        }
        if (errno is Errno.EPERM or Errno.EACCES)
            throw new XdpException("Attaching an XDP program needs CAP_NET_ADMIN and CAP_BPF: run as root or grant them.", errno);
        if (errno == Errno.EINVAL && Environment.OSVersion.Version < new Version(5, 9))
            throw new XdpException(string.Create(CultureInfo.InvariantCulture, $"XDP links need Linux 5.9 or later; this is {Environment.OSVersion.Version}."), errno);
    }
}

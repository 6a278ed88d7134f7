using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Junction.Interop;
using Junction.Wire;

namespace Junction.Devices.Xdp;

/// <summary>
/// One instance's AF_XDP socket on one NIC queue: receives the frames the XDP program steers to its addresses as leases
/// on the queue's UMEM and transmits frames from it, with no copy and no system call per packet except the TX kick the
/// kernel asks for (need_wakeup). Idle, it costs nothing: wait on <see cref="SocketHandle"/> with epoll, or
/// <see cref="WaitForFrames"/>.
/// </summary>
/// <remarks>
/// Open one with <see cref="Open"/> (it then owns its interface and port), or many on one queue with
/// <see cref="XdpPort.AddDevice"/>. The devices of a port share its pool and rings: one thread at a time drives them.
/// </remarks>
public sealed unsafe class XdpDevice : INetDevice, IWaitableDevice
{
    private const int EthernetHeaderLength = 14;

    private readonly XdpPort _port;
    private readonly FramePool _pool;
    private readonly SafeFileDescriptorHandle _socket;
    private readonly int _fd;
    private readonly int _frameShift;
    private readonly ulong _offsetMask;
    private readonly int _maxFrameLength;
    private readonly Ipv4Address[] _addresses;
    private readonly int _slot = -1;
    private XskRing _rx;
    private XskRing _tx;
    private XdpInterface? _ownedInterface;
    private bool _disposed;

    internal XdpDevice(XdpPort port, XdpDeviceOptions options, Ipv4Address[] addresses)
    {
        _port = port;
        _pool = port.Pool;
        _addresses = addresses;
        _frameShift = port.FrameShift;
        _offsetMask = (1UL << _frameShift) - 1;
        XdpInterface xdp = port.Interface;
        // Received frames start after the kernel's headroom; the MTU is what still fits.
        Mtu = Math.Min(xdp.Mtu, _pool.FrameSize - XdpAbi.PacketHeadroom - EthernetHeaderLength);
        _maxFrameLength = Mtu + EthernetHeaderLength;
        MacAddress = xdp.MacAddress;
        _socket = xdp.CreateSocket();
        _fd = _socket.Fd;
        try
        {
            XdpSocket.SetRingSize(_socket, XdpAbi.XDP_RX_RING, options.RxRingSize, "RX");
            XdpSocket.SetRingSize(_socket, XdpAbi.XDP_TX_RING, options.TxRingSize, "TX");
            XdpAbi.MmapOffsets offsets = XdpSocket.GetOffsets(_socket);
            XdpSocket.MapRing(ref _rx, _socket, XdpAbi.XDP_PGOFF_RX_RING, offsets.Rx, options.RxRingSize, sizeof(XdpAbi.Descriptor), "RX");
            XdpSocket.MapRing(ref _tx, _socket, XdpAbi.XDP_PGOFF_TX_RING, offsets.Tx, options.TxRingSize, sizeof(XdpAbi.Descriptor), "TX");
            // Sockets sharing a UMEM on the same queue use the owner's fill and completion rings and inherit its mode flags.
            int errno = XdpSocket.Bind(_socket, xdp.Index, port.QueueId, XdpAbi.XDP_SHARED_UMEM, port.Owner);
            if (errno != 0) throw new XdpException($"Binding a shared-UMEM XDP socket to queue {port.QueueId} of {xdp.Name} failed: {Errno.Describe(errno)}.", errno);
            // Let one kick send the whole TX ring instead of the default 32 frames (Linux 6.17+; older kernels keep 32).
            int budget = options.TxRingSize;
            Libc.SetSockOpt(_fd, XdpAbi.SOL_XDP, XdpAbi.XDP_MAX_TX_SKB_BUDGET, &budget, sizeof(int));
            _slot = xdp.AddSteering(_socket, addresses, port.QueueId);
            // First calls of the packet path's Linux functions cost about 0.1 ms each: make them now.
            Libc.SendTo(_fd, null, 0, Libc.MSG_DONTWAIT, null, 0);
            var poll = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
            Libc.Poll(&poll, 1, 0);
        }
        catch
        {
            _rx.Unmap();
            _tx.Unmap();
            _socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens AF_XDP on <see cref="XdpDeviceOptions.InterfaceName"/> queue <see cref="XdpDeviceOptions.QueueId"/> for one
    /// instance steering <see cref="XdpDeviceOptions.Addresses"/>: attaches the program, maps the UMEM and rings, binds.
    /// Disposing the device detaches and closes everything.
    /// </summary>
    /// <exception cref="XdpException">A capability is missing, the interface does not exist or the kernel refused a step; the message says what to do.</exception>
    public static XdpDevice Open(XdpDeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Addresses.Count == 0) throw new ArgumentException("Name at least one address to steer to the device (Addresses).", nameof(options));
        XdpInterface xdp = XdpInterface.Open(options);
        try
        {
            XdpPort port = xdp.OpenPort(options.QueueId);
            XdpDevice device = port.AddDevice([.. options.Addresses]);
            device._ownedInterface = xdp;
            return device;
        }
        catch
        {
            xdp.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public MacAddress MacAddress { get; }

    /// <summary>The interface MTU, or less if a frame (after the kernel's 256-byte headroom) cannot hold it.</summary>
    public int Mtu { get; }

    /// <summary>None: in copy mode frames arrive as the wire carried them, and nothing fills checksums on transmit.</summary>
    public DeviceCapabilities Capabilities => DeviceCapabilities.None;

    /// <summary>The queue's UMEM, shared with every device on the queue.</summary>
    public FramePool Pool => _pool;

    /// <summary>The port (queue) the device belongs to.</summary>
    public XdpPort Port => _port;

    /// <summary>The NIC queue.</summary>
    public int QueueId => _port.QueueId;

    /// <summary>The mode obtained: where the program runs and whether the NIC copies.</summary>
    public XdpMode Mode => _port.Mode;

    /// <summary>The addresses whose frames are steered here.</summary>
    public IReadOnlyList<Ipv4Address> Addresses => _addresses;

    /// <summary>The XDP socket: readable (EPOLLIN) when frames wait in the RX ring. Valid until the device is disposed.</summary>
    public SafeHandle SocketHandle => _socket;

    /// <summary>The XDP socket's descriptor number, for an epoll set.</summary>
    public int SocketFileDescriptor => _fd;

    /// <summary>Counters of the packet path.</summary>
    public XdpDeviceStatistics Statistics { get; } = new();

    /// <summary>The kernel's counters for this device's socket.</summary>
    public XdpSocketStatistics GetSocketStatistics()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return XdpSocket.GetStatistics(_socket);
    }

    /// <summary>Takes up to <c>frames.Length</c> received frames; tops up the shared fill ring and reclaims finished transmits first.</summary>
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Receive(Span<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _port.Reclaim();
        _port.Refill();
        uint available = Math.Min(_rx.Available(), (uint)frames.Length);
        for (uint i = 0; i < available; i++)
        {
            ref readonly XdpAbi.Descriptor descriptor = ref _rx.DescriptorToConsume(i);
            int index = (int)(descriptor.Address >> _frameShift);
            _port.TakenFromKernel(index);
            frames[(int)i] = new Frame(_pool, index, (int)(descriptor.Address & _offsetMask), (int)descriptor.Length);
        }
        if (available != 0)
        {
            _rx.Release(available);
            Statistics.FramesReceived += available;
        }
        else if (_port.FillNeedsWakeup)
        {
            Statistics.FillWakeups++;
            Libc.RecvFrom(_fd, null, 0, Libc.MSG_DONTWAIT, null, null);
        }
        // Frames a previous kick could not send (more than one kick's budget, or EAGAIN) go now.
        if (_tx.Outstanding() != 0) Kick();
        return (int)available;
    }

    /// <summary>
    /// Puts frames on the TX ring, as many as it has room for, and kicks the kernel. Frames from another pool are
    /// copied into the UMEM first; frames shorter than an Ethernet header, longer than the MTU allows or outside their frame are released
    /// and counted (<see cref="XdpDeviceStatistics.FramesDroppedInvalid"/>) as if sent.
    /// </summary>
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Transmit(ReadOnlySpan<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _port.Reclaim();
        uint room = _tx.FreeEntries();
        int accepted = 0;
        uint queued = 0;
        for (; accepted < frames.Length; accepted++)
        {
            Frame frame = frames[accepted];
            if (frame.Length < EthernetHeaderLength || frame.Length > _maxFrameLength || frame.Offset < 0 || frame.Offset + frame.Length > frame.Pool.FrameSize)
            {
                Statistics.FramesDroppedInvalid++;
                frame.Release();
                continue;
            }
            if (queued == room) break;
            if (frame.Pool != _pool)
            {
                if (!_pool.TryRent(out Frame copy)) break;
                frame.Span.CopyTo(copy.Span);
                copy = copy.WithWindow(0, frame.Length);
                frame.Release();
                frame = copy;
                Statistics.FramesCopiedForTransmit++;
            }
            ref XdpAbi.Descriptor descriptor = ref _tx.DescriptorToProduce(queued);
            descriptor.Address = ((ulong)frame.Index << _frameShift) + (ulong)frame.Offset;
            descriptor.Length = (uint)frame.Length;
            descriptor.Options = 0;
            _port.GivenToKernel(frame.Index);
            queued++;
        }
        if (queued != 0)
        {
            _tx.Submit(queued);
            Statistics.FramesTransmitted += queued;
            Kick();
        }
        return accepted;
    }

    /// <inheritdoc/>
    int IWaitableDevice.WaitFileDescriptor => _fd;

    /// <summary>
    /// Gets ready for a thread to park in epoll on <see cref="SocketFileDescriptor"/> (level-triggered: readable while the
    /// RX ring has entries). Tops up the fill ring so frames can arrive meanwhile; refuses to park while frames are
    /// already receivable or transmits still wait for a kick.
    /// </summary>
    bool IWaitableDevice.PrepareToWait(out Instant nextArrival)
    {
        nextArrival = Instant.Never;
        if (_disposed) return false;
        _port.Reclaim();
        _port.Refill();
        return _rx.Available() == 0 && _tx.Outstanding() == 0;
    }

    /// <inheritdoc/>
    void IWaitableDevice.EndWait()
    {
        // Readiness is the RX ring itself: nothing to clear.
    }

    /// <summary>
    /// Blocks until frames wait in the RX ring or <paramref name="timeout"/> passes (<see cref="Timeout.InfiniteTimeSpan"/>
    /// waits for ever), without spinning. Tops up the fill ring first so that frames can arrive meanwhile.
    /// </summary>
    /// <returns>Whether frames are ready to <see cref="Receive"/>.</returns>
    public bool WaitForFrames(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _port.Reclaim();
        _port.Refill();
        if (_rx.Available() != 0) return true;
        int milliseconds = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Ceiling(Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
        var poll = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
        Libc.Poll(&poll, 1, milliseconds);
        return _rx.Available() != 0;
    }

    /// <summary>
    /// Stops steering the addresses here, gives back every frame still in this socket's rings, unmaps the rings and
    /// closes the socket; a device from <see cref="Open"/> then closes its port and interface too.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        Detach();
        _socket.Dispose();
        _port.DeviceClosed(this);
        _ownedInterface?.Dispose();
    }

    /// <summary>
    /// Everything of <see cref="Dispose"/> but closing the socket, which waits for an RCU grace period (about 15 ms):
    /// a port closing many devices closes their sockets in parallel afterwards.
    /// </summary>
    internal void Detach()
    {
        if (_disposed) return;
        _disposed = true;
        XdpInterface xdp = _port.Interface;
        if (_slot >= 0) xdp.RemoveSteering(_slot, _addresses, _port.QueueId);
        DrainTransmit();
        // Frames already steered here but not received will never be read: back to the pool.
        uint unread = _rx.Available();
        for (uint i = 0; i < unread; i++) _port.Abandoned((int)(_rx.DescriptorToConsume(i).Address >> _frameShift));
        if (unread != 0) _rx.Release(unread);
        // Rings are unmapped before the socket closes.
        _rx.Unmap();
        _tx.Unmap();
    }

    internal SafeFileDescriptorHandle Socket => _socket;

    /// <summary>Lets the kernel send what is queued (briefly), then takes back what it did not consume.</summary>
    private void DrainTransmit()
    {
        for (int attempt = 0; attempt < 100 && _tx.Outstanding() != 0; attempt++)
        {
            Kick();
            if (_tx.Outstanding() != 0) Thread.Sleep(1);
        }
        _port.Reclaim();
        uint outstanding = _tx.Outstanding();
        for (uint i = 0; i < outstanding; i++)
        {
            // Entries between the kernel's consumer and our producer: the last `outstanding` we produced.
            ref XdpAbi.Descriptor descriptor = ref _tx.DescriptorToProduce(i - outstanding);
            _port.Abandoned((int)(descriptor.Address >> _frameShift));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Kick()
    {
        if (!_tx.NeedsWakeup) return;
        Statistics.TransmitKicks++;
        if (Libc.SendTo(_fd, null, 0, Libc.MSG_DONTWAIT, null, 0) >= 0) return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Errno.EAGAIN or Errno.EBUSY or Errno.ENOBUFS) Statistics.TransmitKickRetries++;
        else Statistics.TransmitKickErrors++;
    }
}

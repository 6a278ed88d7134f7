using System.Runtime.CompilerServices;
using Junction.Interop;
using Junction.Wire;

namespace Junction.Devices.Xdp;

/// <summary>
/// One queue of an <see cref="XdpInterface"/>: its UMEM (which is the <see cref="Pool"/> of every device on the queue)
/// and the fill and completion rings that all of the queue's sockets share. Hands out one <see cref="XdpDevice"/> per
/// instance; the devices bind with XDP_SHARED_UMEM, so a thousand instances on a queue cost one UMEM, not a thousand.
/// </summary>
/// <remarks>
/// The fill and completion rings belong to a socket of the port's own that nothing is steered to, so devices come and
/// go without taking the rings with them. Frames the kernel holds (in the fill ring, in flight on TX, in an RX ring
/// not yet read) stay rented from the pool; they come back as received leases or through the completion ring, and
/// all at once when the port is disposed. <see cref="AddDevice"/> may run on any thread; everything else — the
/// devices' packet path and disposing a device or the port — on the one thread at a time that drives the port.
/// </remarks>
public sealed unsafe class XdpPort : IDisposable
{
    private const int OwnerRxRingSize = 64;
    private const int MinimumFreeFrames = 16;

    private readonly XdpInterface _interface;
    private readonly XdpUmem _umem;
    private readonly ushort[] _kernelHeld;
    private readonly List<XdpDevice> _devices = [];
    private readonly int _frameShift;
    private readonly int _transmitReserve;
    private readonly uint _batchSize;
    private readonly uint _fillSize;
    private readonly uint _minimumFill;
    private SafeFileDescriptorHandle? _owner;
    private XskRing _fill;
    private XskRing _completion;
    private bool _disposed;

    internal XdpPort(XdpInterface xdpInterface, int queueId)
    {
        _interface = xdpInterface;
        QueueId = queueId;
        XdpDeviceOptions options = xdpInterface.Options;
        _umem = new XdpUmem(options.FrameCount, options.FrameSize, options.UseHugePages, xdpInterface.Note);
        _kernelHeld = new ushort[options.FrameCount];
        _frameShift = System.Numerics.BitOperations.Log2((uint)options.FrameSize);
        _transmitReserve = options.TransmitReserve;
        _batchSize = (uint)Math.Min(options.BatchSize, options.FillRingSize);
        _fillSize = (uint)options.FillRingSize;
        _minimumFill = Math.Max(_batchSize, _fillSize / 8);
        try
        {
            Mode = OpenOwnerSocket(options);
            // Call the packet path's Linux functions once now: each one's first call costs about 0.1 ms.
            if (_fill.NeedsWakeup) Libc.RecvFrom(_owner!.Fd, null, 0, Libc.MSG_DONTWAIT, null, null);
            Refill();
        }
        catch
        {
            DisposeRingsAndMemory();
            throw;
        }
    }

    /// <summary>The queue number.</summary>
    public int QueueId { get; }

    /// <summary>The interface the queue belongs to.</summary>
    public XdpInterface Interface => _interface;

    /// <summary>The mode obtained: where the program runs and whether the NIC copies.</summary>
    public XdpMode Mode { get; }

    /// <summary>The UMEM's frames: what every device on this queue receives into and transmits from.</summary>
    public FramePool Pool => _umem.Pool;

    /// <summary>Whether the UMEM is backed by 2 MiB huge pages.</summary>
    public bool UsesHugePages => _umem.UsesHugePages;

    /// <summary>The devices open on this queue.</summary>
    public int DeviceCount
    {
        get
        {
            lock (_devices) return _devices.Count;
        }
    }

    /// <summary>Frames the kernel holds right now (fill ring, unread RX rings, transmit in flight).</summary>
    public int FramesHeldByKernel
    {
        get
        {
            int count = 0;
            foreach (ushort held in _kernelHeld) count += held;
            return count;
        }
    }

    /// <summary>The kernel's counters for the socket that owns the fill and completion rings (fill-ring-empty drops show here).</summary>
    public XdpSocketStatistics GetSocketStatistics()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return XdpSocket.GetStatistics(_owner!);
    }

    /// <summary>Opens a device on this queue that receives the frames steered to <paramref name="addresses"/> (IPv4 to them, ARP about them).</summary>
    /// <exception cref="InvalidOperationException">An address is already steered to another device on this queue.</exception>
    public XdpDevice AddDevice(params ReadOnlySpan<Ipv4Address> addresses)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (addresses.IsEmpty) throw new ArgumentException("A device needs at least one address to steer.", nameof(addresses));
        var device = new XdpDevice(this, _interface.Options, addresses.ToArray());
        lock (_devices) _devices.Add(device);
        return device;
    }

    /// <summary>Closes every device, then the rings and the owning socket, takes every frame back from the kernel and unmaps the UMEM.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        XdpDevice[] devices;
        lock (_devices)
        {
            devices = [.. _devices];
            _devices.Clear();
        }
        foreach (XdpDevice device in devices) device.Detach();
        CloseInParallel(devices);
        DisposeRingsAndMemory();
        _interface.PortClosed(this);
    }

    internal SafeFileDescriptorHandle Owner => _owner!;

    internal int FrameShift => _frameShift;

    internal void DeviceClosed(XdpDevice device)
    {
        lock (_devices) _devices.Remove(device);
    }

    /// <summary>
    /// Tops the fill ring up from the pool's free frames, leaving the transmit reserve — except that it never lets the
    /// ring run dry: when sent data waiting for acknowledgements holds the frames (the send queues live in the UMEM), a
    /// ring without frames would drop the very ACKs that free them, and every sender would stall for good.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Refill()
    {
        uint free = _fill.FreeEntries();
        if (free < _batchSize) return;
        FramePool pool = _umem.Pool;
        int spare = pool.FreeCount - _transmitReserve;
        if (spare <= 0)
        {
            uint held = _fillSize - free;
            if (held >= _minimumFill) return;
            // Down into the reserve, but not to its last frames: those carry the ACKs and resets the stack sends.
            spare = Math.Min(pool.FreeCount - MinimumFreeFrames, (int)(_minimumFill - held));
            if (spare <= 0) return;
        }
        uint count = Math.Min(free, (uint)spare);
        for (uint i = 0; i < count; i++)
        {
            pool.TryRent(out Frame frame);
            _kernelHeld[frame.Index]++;
            _fill.AddressToProduce(i) = (ulong)frame.Index << _frameShift;
        }
        _fill.Submit(count);
    }

    /// <summary>Whether the driver sleeps until woken to take fill ring entries.</summary>
    internal bool FillNeedsWakeup => _fill.NeedsWakeup;

    /// <summary>Releases every frame the kernel finished transmitting.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Reclaim()
    {
        uint count = _completion.Available();
        if (count == 0) return;
        FramePool pool = _umem.Pool;
        for (uint i = 0; i < count; i++)
        {
            int index = (int)(_completion.AddressToConsume(i) >> _frameShift);
            _kernelHeld[index]--;
            pool.Release(index);
        }
        _completion.Release(count);
    }

    /// <summary>A frame left the kernel in an RX ring: its reference passes to whoever receives it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TakenFromKernel(int index) => _kernelHeld[index]--;

    /// <summary>A frame went onto a TX ring: the kernel holds its reference until completion.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void GivenToKernel(int index) => _kernelHeld[index]++;

    /// <summary>A frame the kernel held will never come back through a ring (its socket closes): release it here.</summary>
    internal void Abandoned(int index)
    {
        _kernelHeld[index]--;
        _umem.Pool.Release(index);
    }

    /// <summary>Closes the devices' sockets from several threads: each close waits for an RCU grace period, and concurrent ones share it.</summary>
    private static void CloseInParallel(XdpDevice[] devices)
    {
        const int MaxThreads = 32;
        if (devices.Length <= 1)
        {
            foreach (XdpDevice device in devices) device.Socket.Dispose();
            return;
        }
        int threadCount = Math.Min(devices.Length, MaxThreads);
        var threads = new Thread[threadCount];
        for (int t = 0; t < threadCount; t++)
        {
            int first = t;
            threads[t] = new Thread(() =>
            {
                for (int i = first; i < devices.Length; i += threadCount) devices[i].Socket.Dispose();
            }, maxStackSize: 64 * 1024);
            threads[t].Start();
        }
        foreach (Thread thread in threads) thread.Join();
    }

    private XdpMode OpenOwnerSocket(XdpDeviceOptions options)
    {
        bool tryZeroCopy = options.CopyMode != XdpCopyMode.Copy;
        if (tryZeroCopy && !_interface.IsNativeMode)
        {
            if (options.CopyMode == XdpCopyMode.ZeroCopy)
                throw new XdpException($"Zero-copy needs the program in native mode, but {_interface.Name} runs it in generic mode: use CopyMode Auto or Copy.");
            _interface.Note($"{_interface.Name} queue {QueueId}: copy mode, because zero-copy needs native XDP.");
            tryZeroCopy = false;
        }
        if (tryZeroCopy)
        {
            int errno = TryOpenOwnerSocket(options, XdpAbi.XDP_ZEROCOPY);
            if (errno == 0) return XdpMode.NativeZeroCopy;
            if (options.CopyMode == XdpCopyMode.ZeroCopy)
                throw new XdpException($"The driver of {_interface.Name} refused zero-copy on queue {QueueId} ({Errno.Describe(errno)}): use CopyMode Auto or Copy.", errno);
            _interface.Note($"{_interface.Name} queue {QueueId}: zero-copy refused ({Errno.Describe(errno)}); using copy mode.");
        }
        int copyErrno = TryOpenOwnerSocket(options, XdpAbi.XDP_COPY);
        if (copyErrno != 0) throw BindFailure(copyErrno);
        return _interface.IsNativeMode ? XdpMode.NativeCopy : XdpMode.GenericCopy;
    }

    /// <summary>Creates the owning socket and binds it with <paramref name="modeFlag"/>; on a refused bind cleans up and returns the errno.</summary>
    private int TryOpenOwnerSocket(XdpDeviceOptions options, ushort modeFlag)
    {
        SafeFileDescriptorHandle socket = _interface.CreateSocket();
        try
        {
            _umem.Register(socket.Fd);
            XdpSocket.SetRingSize(socket, XdpAbi.XDP_UMEM_FILL_RING, options.FillRingSize, "fill");
            XdpSocket.SetRingSize(socket, XdpAbi.XDP_UMEM_COMPLETION_RING, options.CompletionRingSize, "completion");
            // bind needs an RX or a TX ring; nothing is ever steered to this one.
            XdpSocket.SetRingSize(socket, XdpAbi.XDP_RX_RING, OwnerRxRingSize, "RX");
            XdpAbi.MmapOffsets offsets = XdpSocket.GetOffsets(socket);
            XdpSocket.MapRing(ref _fill, socket, XdpAbi.XDP_UMEM_PGOFF_FILL_RING, offsets.Fill, options.FillRingSize, sizeof(ulong), "fill");
            XdpSocket.MapRing(ref _completion, socket, XdpAbi.XDP_UMEM_PGOFF_COMPLETION_RING, offsets.Completion, options.CompletionRingSize, sizeof(ulong), "completion");
            int errno = XdpSocket.Bind(socket, _interface.Index, QueueId, (ushort)(XdpAbi.XDP_USE_NEED_WAKEUP | modeFlag), null);
            if (errno != 0)
            {
                _fill.Unmap();
                _completion.Unmap();
                socket.Dispose();
                return errno;
            }
            _owner = socket;
            return 0;
        }
        catch
        {
            _fill.Unmap();
            _completion.Unmap();
            socket.Dispose();
            throw;
        }
    }

    private XdpException BindFailure(int errno) => errno switch
    {
        Errno.EBUSY => new XdpException($"Queue {QueueId} of {_interface.Name} is bound by another XDP socket (EBUSY): close it or pick another queue.", errno),
        Errno.EINVAL => new XdpException($"Binding to queue {QueueId} of {_interface.Name} was refused (EINVAL): check that the queue exists (ethtool -l {_interface.Name}).", errno),
        Errno.ENETDOWN => new XdpException($"{_interface.Name} is down: bring it up (ip link set dev {_interface.Name} up).", errno),
        _ => new XdpException($"Binding an XDP socket to queue {QueueId} of {_interface.Name} failed: {Errno.Describe(errno)}.", errno),
    };

    private void DisposeRingsAndMemory()
    {
        // Rings are unmapped before their socket closes; after the close the kernel holds no frame any more.
        _fill.Unmap();
        _completion.Unmap();
        _owner?.Dispose();
        FramePool pool = _umem.Pool;
        for (int index = 0; index < _kernelHeld.Length; index++)
        {
            for (; _kernelHeld[index] > 0; _kernelHeld[index]--) pool.Release(index);
        }
        pool.Dispose();
    }
}

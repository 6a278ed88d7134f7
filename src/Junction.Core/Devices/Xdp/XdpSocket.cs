using System.Diagnostics;
using Junction.Interop;

namespace Junction.Devices.Xdp;

/// <summary>The set-up steps every XDP socket goes through: create, size its rings, learn their offsets, bind.</summary>
internal static unsafe class XdpSocket
{
    private static readonly TimeSpan BusyRetryTime = TimeSpan.FromSeconds(2);

    /// <summary>Creates an AF_XDP socket (in the calling thread's network namespace).</summary>
    public static SafeFileDescriptorHandle Create()
    {
        int fd = Libc.Socket(Libc.AF_XDP, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
        if (fd >= 0) return new SafeFileDescriptorHandle(fd);
        int errno = Errno.Last;
        throw errno switch
        {
            Errno.EAFNOSUPPORT or Errno.EPROTONOSUPPORT or Errno.EINVAL => new XdpException(
                "This kernel has no AF_XDP sockets (EAFNOSUPPORT): run on Linux 5.4 or later built with CONFIG_XDP_SOCKETS=y.", errno),
            Errno.EPERM or Errno.EACCES => new XdpException(
                "Opening an AF_XDP socket needs CAP_NET_RAW (and the XDP program CAP_BPF and CAP_NET_ADMIN): run as root or grant them, e.g. setcap cap_net_raw,cap_net_admin,cap_bpf,cap_ipc_lock+ep on the executable.", errno),
            _ => new XdpException($"Creating an AF_XDP socket failed: {Errno.Describe(errno)}.", errno),
        };
    }

    /// <summary>Sizes one of the socket's rings (XDP_RX_RING, XDP_TX_RING, XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING).</summary>
    public static void SetRingSize(SafeFileDescriptorHandle socket, int option, int size, string ring)
    {
        int entries = size;
        if (Libc.SetSockOpt(socket.Fd, XdpAbi.SOL_XDP, option, &entries, sizeof(int)) == 0) return;
        int errno = Errno.Last;
        throw new XdpException($"Sizing the {ring} ring to {size} entries failed: {Errno.Describe(errno)}.", errno);
    }

    /// <summary>Where each ring's producer, consumer, flags and entries sit in its mapping.</summary>
    public static XdpAbi.MmapOffsets GetOffsets(SafeFileDescriptorHandle socket)
    {
        XdpAbi.MmapOffsets offsets = default;
        uint length = (uint)sizeof(XdpAbi.MmapOffsets);
        if (Libc.GetSockOpt(socket.Fd, XdpAbi.SOL_XDP, XdpAbi.XDP_MMAP_OFFSETS, &offsets, &length) != 0)
        {
            int errno = Errno.Last;
            throw new XdpException($"Reading the XDP ring offsets failed: {Errno.Describe(errno)}.", errno);
        }
        if (length != sizeof(XdpAbi.MmapOffsets))
            throw new XdpException($"The kernel answered XDP_MMAP_OFFSETS with {length} bytes instead of {sizeof(XdpAbi.MmapOffsets)} (no ring flags before Linux 5.4): run on a newer kernel.");
        return offsets;
    }

    /// <summary>Maps one ring of <paramref name="socket"/>; throws on failure.</summary>
    public static void MapRing(ref XskRing ring, SafeFileDescriptorHandle socket, long pageOffset, in XdpAbi.RingOffset offsets, int size, int entrySize, string name)
    {
        int errno = ring.Map(socket.Fd, pageOffset, offsets, (uint)size, entrySize);
        if (errno != 0) throw new XdpException($"Mapping the {name} ring failed: {Errno.Describe(errno)}.", errno);
    }

    /// <summary>
    /// Binds to (<paramref name="ifIndex"/>, <paramref name="queueId"/>), retrying while the queue is still busy from a
    /// socket closed moments ago (its release waits for an RCU grace period).
    /// </summary>
    /// <returns>0, or the errno of the last attempt.</returns>
    public static int Bind(SafeFileDescriptorHandle socket, int ifIndex, int queueId, ushort flags, SafeFileDescriptorHandle? sharedUmemOwner)
    {
        var address = new XdpAbi.SockAddr
        {
            Family = Libc.AF_XDP,
            Flags = flags,
            IfIndex = (uint)ifIndex,
            QueueId = (uint)queueId,
            SharedUmemFd = sharedUmemOwner is null ? 0 : (uint)sharedUmemOwner.Fd,
        };
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (Libc.Bind(socket.Fd, &address, (uint)sizeof(XdpAbi.SockAddr)) == 0) return 0;
            int errno = Errno.Last;
            if (errno != Errno.EBUSY || Stopwatch.GetElapsedTime(started) > BusyRetryTime) return errno;
            Thread.Sleep(1);
        }
    }

    /// <summary>The kernel's counters for <paramref name="socket"/>.</summary>
    public static XdpSocketStatistics GetStatistics(SafeFileDescriptorHandle socket)
    {
        XdpAbi.Statistics statistics = default;
        uint length = (uint)sizeof(XdpAbi.Statistics);
        if (Libc.GetSockOpt(socket.Fd, XdpAbi.SOL_XDP, XdpAbi.XDP_STATISTICS, &statistics, &length) != 0)
        {
            int errno = Errno.Last;
            throw new XdpException($"Reading XDP socket statistics failed: {Errno.Describe(errno)}.", errno);
        }
        return new XdpSocketStatistics(
            (long)statistics.RxDropped,
            (long)statistics.RxInvalidDescriptors,
            (long)statistics.TxInvalidDescriptors,
            (long)statistics.RxRingFull,
            (long)statistics.RxFillRingEmptyDescriptors,
            (long)statistics.TxRingEmptyDescriptors);
    }
}

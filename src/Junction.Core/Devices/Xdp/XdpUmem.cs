using System.Globalization;
using Junction.Interop;

namespace Junction.Devices.Xdp;

/// <summary>
/// The UMEM of one queue: anonymous mmap'd memory (2 MiB huge pages when the system has them reserved) that is at the
/// same time the <see cref="FramePool"/> every device on the queue rents from and receives into, so no frame is copied
/// between the kernel's view and the stack's.
/// </summary>
internal sealed unsafe class XdpUmem
{
    private const nuint HugePageSize = 2 * 1024 * 1024;

    private byte* _memory;
    private readonly nuint _mappedLength;

    public XdpUmem(int frameCount, int frameSize, bool tryHugePages, Action<string>? log)
    {
        nuint length = (nuint)frameCount * (nuint)frameSize;
        void* memory = Libc.MapFailed;
        if (tryHugePages && length >= HugePageSize)
        {
            nuint hugeLength = (length + HugePageSize - 1) & ~(HugePageSize - 1);
            memory = Libc.Mmap(null, hugeLength, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_HUGETLB | Libc.MAP_POPULATE, -1, 0);
            if (memory != Libc.MapFailed)
            {
                _mappedLength = hugeLength;
                UsesHugePages = true;
            }
            else
            {
                log?.Invoke($"UMEM of {length / 1024} KiB uses normal pages: no 2 MiB huge pages are available ({Errno.Describe(Errno.Last)}; reserve some with sysctl vm.nr_hugepages).");
            }
        }
        if (memory == Libc.MapFailed)
        {
            memory = Libc.Mmap(null, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_POPULATE, -1, 0);
            if (memory == Libc.MapFailed)
            {
                int errno = Errno.Last;
                throw new XdpException($"Cannot map {length / 1024} KiB for the UMEM: {Errno.Describe(errno)}; lower FrameCount.", errno);
            }
            _mappedLength = length;
        }
        _memory = (byte*)memory;
        Length = length;
        Pool = new FramePool(_memory, frameCount, frameSize, Unmap);
    }

    /// <summary>The frames over this memory.</summary>
    public FramePool Pool { get; }

    /// <summary>Bytes registered with the kernel.</summary>
    public nuint Length { get; }

    /// <summary>Whether the memory is backed by 2 MiB huge pages.</summary>
    public bool UsesHugePages { get; }

    /// <summary>Registers the memory with XDP socket <paramref name="fd"/> (XDP_UMEM_REG), raising RLIMIT_MEMLOCK if the kernel asks.</summary>
    public void Register(int fd)
    {
        if (TryRegister(fd, out int errno)) return;
        if (errno is Errno.ENOBUFS or Errno.ENOMEM or Errno.EPERM && RaiseMemlockLimit() && TryRegister(fd, out errno)) return;
        if (errno is Errno.ENOBUFS or Errno.ENOMEM or Errno.EPERM)
        {
            throw new XdpException(
                $"The kernel refused to pin the {Length / 1024} KiB UMEM ({Errno.Describe(errno)}): RLIMIT_MEMLOCK is {DescribeMemlockLimit()}; raise it (ulimit -l unlimited, LimitMEMLOCK=infinity in a systemd unit, --ulimit memlock=-1 for docker) or grant CAP_IPC_LOCK.",
                errno);
        }
        throw new XdpException($"Registering the UMEM failed: {Errno.Describe(errno)}.", errno);
    }

    private bool TryRegister(int fd, out int errno)
    {
        var registration = new XdpAbi.UmemReg
        {
            Address = (ulong)_memory,
            Length = Length,
            ChunkSize = (uint)Pool.FrameSize,
        };
        if (Libc.SetSockOpt(fd, XdpAbi.SOL_XDP, XdpAbi.XDP_UMEM_REG, &registration, (uint)sizeof(XdpAbi.UmemReg)) == 0)
        {
            errno = 0;
            return true;
        }
        errno = Errno.Last;
        return false;
    }

    private static bool RaiseMemlockLimit()
    {
        Libc.RLimit limit;
        if (Libc.GetRLimit(Libc.RLIMIT_MEMLOCK, &limit) != 0) return false;
        // Unlimited needs CAP_SYS_RESOURCE; without it, the hard limit is as far as an unprivileged process may go.
        var unlimited = new Libc.RLimit { Current = Libc.RLIM_INFINITY, Maximum = Libc.RLIM_INFINITY };
        if (Libc.SetRLimit(Libc.RLIMIT_MEMLOCK, &unlimited) == 0) return true;
        if (limit.Current >= limit.Maximum) return false;
        var raised = new Libc.RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
        return Libc.SetRLimit(Libc.RLIMIT_MEMLOCK, &raised) == 0;
    }

    private static string DescribeMemlockLimit()
    {
        Libc.RLimit limit;
        if (Libc.GetRLimit(Libc.RLIMIT_MEMLOCK, &limit) != 0) return "unknown";
        return limit.Current == Libc.RLIM_INFINITY ? "unlimited" : (limit.Current / 1024).ToString(CultureInfo.InvariantCulture) + " KiB";
    }

    private void Unmap()
    {
        if (_memory == null) return;
        Libc.Munmap(_memory, _mappedLength);
        _memory = null;
    }
}

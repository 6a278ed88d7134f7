using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>
/// The AF_XDP socket ABI of linux/if_xdp.h, written from the kernel's layout rather than distribution headers (which lag:
/// Debian 12 lacks <c>tx_metadata_len</c>). Every struct is zeroed before use so that fields a kernel knows and we do not stay 0.
/// </summary>
internal static class XdpAbi
{
    internal const int SOL_XDP = 283;

    // Socket options.
    internal const int XDP_MMAP_OFFSETS = 1;
    internal const int XDP_RX_RING = 2;
    internal const int XDP_TX_RING = 3;
    internal const int XDP_UMEM_REG = 4;
    internal const int XDP_UMEM_FILL_RING = 5;
    internal const int XDP_UMEM_COMPLETION_RING = 6;
    internal const int XDP_STATISTICS = 7;
    internal const int XDP_OPTIONS = 8;
    internal const int XDP_MAX_TX_SKB_BUDGET = 9;

    // sockaddr_xdp flags.
    internal const ushort XDP_SHARED_UMEM = 1 << 0;
    internal const ushort XDP_COPY = 1 << 1;
    internal const ushort XDP_ZEROCOPY = 1 << 2;
    internal const ushort XDP_USE_NEED_WAKEUP = 1 << 3;

    /// <summary>Ring flag: the kernel sleeps until poked (sendto for TX, recvfrom/poll for the fill ring).</summary>
    internal const uint XDP_RING_NEED_WAKEUP = 1 << 0;

    // mmap page offsets of the four rings.
    internal const long XDP_PGOFF_RX_RING = 0;
    internal const long XDP_PGOFF_TX_RING = 0x80000000;
    internal const long XDP_UMEM_PGOFF_FILL_RING = 0x100000000;
    internal const long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000;

    /// <summary>The headroom the kernel keeps in front of every received packet in copy mode (XDP_PACKET_HEADROOM).</summary>
    internal const int PacketHeadroom = 256;

    /// <summary>struct sockaddr_xdp (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockAddr
    {
        internal ushort Family;
        internal ushort Flags;
        internal uint IfIndex;
        internal uint QueueId;
        internal uint SharedUmemFd;
    }

    /// <summary>struct xdp_umem_reg (32 bytes since Linux 6.8).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct UmemReg
    {
        internal ulong Address;
        internal ulong Length;
        internal uint ChunkSize;
        internal uint Headroom;
        internal uint Flags;
        internal uint TxMetadataLength;
    }

    /// <summary>struct xdp_ring_offset (32 bytes; <c>flags</c> exists since Linux 5.4).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RingOffset
    {
        internal ulong Producer;
        internal ulong Consumer;
        internal ulong Descriptors;
        internal ulong Flags;
    }

    /// <summary>struct xdp_mmap_offsets (128 bytes; a shorter request silently gets the pre-5.4 layout without flags).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MmapOffsets
    {
        internal RingOffset Rx;
        internal RingOffset Tx;
        internal RingOffset Fill;
        internal RingOffset Completion;
    }

    /// <summary>struct xdp_desc (16 bytes): one RX or TX descriptor.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Descriptor
    {
        internal ulong Address;
        internal uint Length;
        internal uint Options;
    }

    /// <summary>struct xdp_statistics (48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Statistics
    {
        internal ulong RxDropped;
        internal ulong RxInvalidDescriptors;
        internal ulong TxInvalidDescriptors;
        internal ulong RxRingFull;
        internal ulong RxFillRingEmptyDescriptors;
        internal ulong TxRingEmptyDescriptors;
    }
}

using System.Runtime.CompilerServices;
using Junction.Interop;

namespace Junction.Devices.Xdp;

/// <summary>
/// One single-producer/single-consumer ring shared with the kernel (fill, completion, RX or TX), mapped from an XSK.
/// The index words are free-running 32-bit counters; entries live at <c>index &amp; mask</c>.
/// </summary>
/// <remarks>
/// Ordering: as producer we write entries, then publish the producer index with a release store; as consumer we read the
/// producer index with an acquire load, read entries, then publish the consumer index with a release store — the
/// kernel's side uses the matching smp_load_acquire/smp_store_release. A mutable struct kept in a field of its owner
/// so that the hot path reaches it without an indirection; never copy it.
/// </remarks>
internal unsafe struct XskRing
{
    private uint* _producer;
    private uint* _consumer;
    private uint* _flags;
    private byte* _entries;
    private void* _mapping;
    private nuint _mappingLength;
    private uint _mask;
    private uint _size;
    private uint _localProducer;
    private uint _localConsumer;

    /// <summary>Whether the ring is mapped.</summary>
    public readonly bool IsMapped => _mapping != null;

    /// <summary>How many entries the ring holds.</summary>
    public readonly uint Size => _size;

    /// <summary>Maps a ring of <paramref name="size"/> entries of <paramref name="entrySize"/> bytes at page offset <paramref name="pageOffset"/> of socket <paramref name="fd"/>.</summary>
    /// <returns>0, or the errno of the failed mmap.</returns>
    public int Map(int fd, long pageOffset, in XdpAbi.RingOffset offsets, uint size, int entrySize)
    {
        nuint length = (nuint)(offsets.Descriptors + (ulong)size * (ulong)entrySize);
        void* mapping = Libc.Mmap(null, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, pageOffset);
        if (mapping == Libc.MapFailed) return Errno.Last;
        byte* start = (byte*)mapping;
        _mapping = mapping;
        _mappingLength = length;
        _producer = (uint*)(start + offsets.Producer);
        _consumer = (uint*)(start + offsets.Consumer);
        _flags = (uint*)(start + offsets.Flags);
        _entries = start + offsets.Descriptors;
        _size = size;
        _mask = size - 1;
        _localProducer = Volatile.Read(ref *_producer);
        _localConsumer = Volatile.Read(ref *_consumer);
        return 0;
    }

    /// <summary>Unmaps the ring (before its socket is closed).</summary>
    public void Unmap()
    {
        if (_mapping == null) return;
        Libc.Munmap(_mapping, _mappingLength);
        this = default;
    }

    /// <summary>Whether the kernel asked to be woken (XDP_RING_NEED_WAKEUP).</summary>
    public readonly bool NeedsWakeup
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (Volatile.Read(ref *_flags) & XdpAbi.XDP_RING_NEED_WAKEUP) != 0;
    }

    // ---- producer side (fill, TX) ----

    /// <summary>How many entries we may write now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint FreeEntries() => _size - (_localProducer - Volatile.Read(ref *_consumer));

    /// <summary>Entries we published that the kernel has not consumed yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint Outstanding() => _localProducer - Volatile.Read(ref *_consumer);

    /// <summary>The 64-bit address slot <paramref name="i"/> entries past the local producer (fill ring).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref ulong AddressToProduce(uint i) => ref ((ulong*)_entries)[(_localProducer + i) & _mask];

    /// <summary>The descriptor slot <paramref name="i"/> entries past the local producer (TX ring).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref XdpAbi.Descriptor DescriptorToProduce(uint i) => ref ((XdpAbi.Descriptor*)_entries)[(_localProducer + i) & _mask];

    /// <summary>Publishes <paramref name="count"/> written entries to the kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Submit(uint count)
    {
        _localProducer += count;
        Volatile.Write(ref *_producer, _localProducer);
    }

    // ---- consumer side (completion, RX) ----

    /// <summary>How many entries the kernel has published that we have not consumed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly uint Available() => Volatile.Read(ref *_producer) - _localConsumer;

    /// <summary>The 64-bit address <paramref name="i"/> entries past the local consumer (completion ring).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ulong AddressToConsume(uint i) => ((ulong*)_entries)[(_localConsumer + i) & _mask];

    /// <summary>The descriptor <paramref name="i"/> entries past the local consumer (RX ring).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref readonly XdpAbi.Descriptor DescriptorToConsume(uint i) => ref ((XdpAbi.Descriptor*)_entries)[(_localConsumer + i) & _mask];

    /// <summary>Gives <paramref name="count"/> consumed entries back to the kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Release(uint count)
    {
        _localConsumer += count;
        Volatile.Write(ref *_consumer, _localConsumer);
    }
}

using System.Buffers.Binary;

namespace Junction.Devices.Verbs;

/// <summary>
/// The producer side of an mlx5 receive work queue taken over with <c>mlx5dv_init_obj</c>. A single-packet WQE is
/// one data segment (byte count, lkey, address) followed, when the stride has room, by a terminating segment with
/// the invalid lkey; a multi-packet ("striding") WQE is a next-segment header followed by one data segment that
/// covers all its strides. <see cref="RingDoorbell"/> publishes new WQEs through the receive doorbell record.
/// </summary>
internal sealed unsafe class Mlx5ReceiveQueue
{
    private readonly byte* _ring;
    private readonly uint* _doorbellRecord;
    private readonly uint _lkey;
    private readonly uint _mask;
    private readonly int _stride;
    private uint _producerIndex;
    private uint _consumerIndex;
    private bool _pending;

    /// <summary>Wraps a ring of <paramref name="wqeCount"/> WQEs of <paramref name="stride"/> bytes.</summary>
    public Mlx5ReceiveQueue(byte* ring, int wqeCount, int stride, uint* doorbellRecord, uint lkey, bool striding)
    {
        if (wqeCount <= 0 || !int.IsPow2(wqeCount)) throw new ArgumentException("The WQE count must be a power of two.", nameof(wqeCount));
        int needed = striding ? Mlx5Prm.MprqWqeSize : Mlx5Prm.DataSegSize;
        if (stride < needed) throw new ArgumentException($"A receive WQE needs {needed} bytes.", nameof(stride));
        _ring = ring;
        _doorbellRecord = doorbellRecord;
        _lkey = lkey;
        _mask = (uint)wqeCount - 1;
        _stride = stride;
        IsStriding = striding;
        Capacity = wqeCount;
    }

    /// <summary>Whether WQEs are multi-packet (striding).</summary>
    public bool IsStriding { get; }

    /// <summary>How many WQEs the ring holds.</summary>
    public int Capacity { get; }

    /// <summary>WQEs posted and not yet used up by the NIC.</summary>
    public int Outstanding => (int)(_producerIndex - _consumerIndex);

    /// <summary>How many WQEs can be posted now.</summary>
    public int FreeSlots => Capacity - Outstanding;

    /// <summary>The slot of the oldest WQE the NIC still owns (the one it fills next).</summary>
    public int OldestSlot => (int)(_consumerIndex & _mask);

    /// <summary>Posts a buffer of <paramref name="byteCount"/> bytes at <paramref name="address"/>; returns its slot or -1 when full.</summary>
    public int Post(nint address, int byteCount)
    {
        if (FreeSlots == 0) return -1;
        int slot = (int)(_producerIndex & _mask);
        var wqe = new Span<byte>(_ring + (nint)slot * _stride, _stride);
        Span<byte> data;
        if (IsStriding)
        {
            // The next-segment header is unused by a cyclic work queue; it is kept zero as the provider leaves it.
            wqe.Slice(0, Mlx5Prm.NextSegSize).Clear();
            data = wqe.Slice(Mlx5Prm.MprqDataSegOffset, Mlx5Prm.DataSegSize);
        }
        else
        {
            data = wqe.Slice(0, Mlx5Prm.DataSegSize);
            if (_stride >= 2 * Mlx5Prm.DataSegSize)
            {
                var end = wqe.Slice(Mlx5Prm.DataSegSize, Mlx5Prm.DataSegSize);
                BinaryPrimitives.WriteUInt32BigEndian(end.Slice(Mlx5Prm.DataByteCountOffset), 0);
                BinaryPrimitives.WriteUInt32BigEndian(end.Slice(Mlx5Prm.DataLkeyOffset), Mlx5Prm.InvalidLkey);
                BinaryPrimitives.WriteUInt64BigEndian(end.Slice(Mlx5Prm.DataAddrOffset), 0);
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(data.Slice(Mlx5Prm.DataByteCountOffset), (uint)byteCount);
        BinaryPrimitives.WriteUInt32BigEndian(data.Slice(Mlx5Prm.DataLkeyOffset), _lkey);
        BinaryPrimitives.WriteUInt64BigEndian(data.Slice(Mlx5Prm.DataAddrOffset), (ulong)address);
        _producerIndex++;
        _pending = true;
        return slot;
    }

    /// <summary>Marks the oldest WQE used up by the NIC, freeing its slot.</summary>
    public void RetireOldest()
    {
        if (_consumerIndex != _producerIndex) _consumerIndex++;
    }

    /// <summary>The slot a completion's WQE counter refers to.</summary>
    public int SlotOf(ushort wqeCounter) => (int)(wqeCounter & _mask);

    /// <summary>Publishes the WQEs posted since the last ring (the low 16 bits of the producer index).</summary>
    public void RingDoorbell()
    {
        if (!_pending) return;
        _pending = false;
        Mlx5Mmio.StoreFence();
        Volatile.Write(ref _doorbellRecord[Mlx5Prm.ReceiveDoorbellIndex], BinaryPrimitives.ReverseEndianness(_producerIndex & 0xffff));
    }
}

using System.Buffers.Binary;

namespace Junction.Devices.Verbs;

/// <summary>
/// The producer side of an mlx5 raw-Ethernet send ring taken over with <c>mlx5dv_init_obj</c>. Each frame becomes
/// one 64-byte WQE: a control segment (opcode SEND, WQE index, QP number, size), an Ethernet segment carrying the
/// first <see cref="Mlx5Prm.InlineHeaderSize"/> bytes inline plus checksum-offload flags, and one data segment
/// pointing at the rest of the frame in registered memory. <see cref="RingDoorbell"/> publishes the batch through the
/// doorbell record and the BlueFlame register; completions retire WQEs in order up to the signalled one.
/// </summary>
internal sealed unsafe class Mlx5SendQueue
{
    private readonly byte* _ring;
    private readonly uint* _doorbellRecord;
    private readonly byte* _blueFlame;
    private readonly int _blueFlameSize;
    private readonly uint _qpNumber;
    private readonly uint _lkey;
    private readonly uint _mask;
    private readonly int _stride;
    private uint _producerIndex;
    private uint _consumerIndex;
    private uint _lastPosted;
    private int _blueFlameOffset;
    private bool _pending;

    /// <summary>Wraps a ring of <paramref name="wqeCount"/> WQEs of <paramref name="stride"/> bytes.</summary>
    public Mlx5SendQueue(byte* ring, int wqeCount, int stride, uint* doorbellRecord, byte* blueFlame, int blueFlameSize, uint qpNumber, uint lkey)
    {
        if (wqeCount <= 0 || !int.IsPow2(wqeCount)) throw new ArgumentException("The WQE count must be a power of two.", nameof(wqeCount));
        if (stride < Mlx5Prm.SendWqeBasicBlock) throw new ArgumentException("A send WQE needs a 64-byte basic block.", nameof(stride));
        _ring = ring;
        _doorbellRecord = doorbellRecord;
        _blueFlame = blueFlame;
        _blueFlameSize = blueFlameSize;
        _qpNumber = qpNumber;
        _lkey = lkey;
        _mask = (uint)wqeCount - 1;
        _stride = stride;
        Capacity = wqeCount;
    }

    /// <summary>How many WQEs the ring holds.</summary>
    public int Capacity { get; }

    /// <summary>WQEs posted and not yet completed.</summary>
    public int Outstanding => (int)(_producerIndex - _consumerIndex);

    /// <summary>How many more frames can be posted now.</summary>
    public int FreeSlots => Capacity - Outstanding;

    /// <summary>The ring slot the oldest outstanding WQE occupies.</summary>
    public int OldestSlot => (int)(_consumerIndex & _mask);

    /// <summary>
    /// Writes the WQE for a frame of <paramref name="length"/> bytes at <paramref name="address"/> (inside the
    /// registered region). Returns the ring slot used, or -1 when the ring is full or the frame is shorter than the
    /// inline header (not a valid Ethernet frame).
    /// </summary>
    public int Post(nint address, int length, bool requestCompletion, bool offloadChecksums)
    {
        if (FreeSlots == 0 || length < Mlx5Prm.InlineHeaderSize) return -1;
        uint index = _producerIndex;
        int slot = (int)(index & _mask);
        var wqe = new Span<byte>(_ring + (nint)slot * _stride, Mlx5Prm.SendWqeBasicBlock);

        var ctrl = wqe.Slice(0, Mlx5Prm.CtrlSegSize);
        BinaryPrimitives.WriteUInt32BigEndian(ctrl.Slice(Mlx5Prm.CtrlOpmodIdxOpcodeOffset), ((index & 0xffff) << 8) | Mlx5Prm.OpcodeSend);
        BinaryPrimitives.WriteUInt32BigEndian(ctrl.Slice(Mlx5Prm.CtrlQpnDsOffset), (_qpNumber << 8) | Mlx5Prm.SendWqeDataSegments);
        ctrl[Mlx5Prm.CtrlSignatureOffset] = 0;
        ctrl[9] = 0;
        ctrl[10] = 0;
        ctrl[Mlx5Prm.CtrlFmCeSeOffset] = requestCompletion ? Mlx5Prm.CtrlCqUpdate : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(ctrl.Slice(Mlx5Prm.CtrlImmOffset), 0);

        var eth = wqe.Slice(Mlx5Prm.CtrlSegSize, Mlx5Prm.EthSegSize);
        eth.Slice(0, Mlx5Prm.EthInlineHdrSzOffset).Clear();
        eth[Mlx5Prm.EthCsFlagsOffset] = offloadChecksums ? (byte)(Mlx5Prm.EthL3Csum | Mlx5Prm.EthL4Csum) : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(eth.Slice(Mlx5Prm.EthInlineHdrSzOffset), Mlx5Prm.InlineHeaderSize);
        // inline_hdr_start and inline_hdr are contiguous: the 18 header bytes fill the segment to its end.
        new ReadOnlySpan<byte>((void*)address, Mlx5Prm.InlineHeaderSize).CopyTo(eth.Slice(Mlx5Prm.EthInlineHdrStartOffset));

        var data = wqe.Slice(Mlx5Prm.CtrlSegSize + Mlx5Prm.EthSegSize, Mlx5Prm.DataSegSize);
        BinaryPrimitives.WriteUInt32BigEndian(data.Slice(Mlx5Prm.DataByteCountOffset), (uint)(length - Mlx5Prm.InlineHeaderSize));
        BinaryPrimitives.WriteUInt32BigEndian(data.Slice(Mlx5Prm.DataLkeyOffset), _lkey);
        BinaryPrimitives.WriteUInt64BigEndian(data.Slice(Mlx5Prm.DataAddrOffset), (ulong)(address + Mlx5Prm.InlineHeaderSize));

        _lastPosted = index;
        _producerIndex = index + 1;
        _pending = true;
        return slot;
    }

    /// <summary>
    /// Publishes everything posted since the last ring: the doorbell record takes the new producer index, then the
    /// first 8 bytes of the last WQE go to the BlueFlame register (alternating between its two buffers), which is
    /// the doorbell the NIC acts on.
    /// </summary>
    public void RingDoorbell()
    {
        if (!_pending) return;
        _pending = false;
        Mlx5Mmio.StoreFence();
        Volatile.Write(ref _doorbellRecord[Mlx5Prm.SendDoorbellIndex], BinaryPrimitives.ReverseEndianness(_producerIndex & 0xffff));
        Mlx5Mmio.StoreFence();
        ulong firstQword = *(ulong*)(_ring + (nint)(_lastPosted & _mask) * _stride);
        Volatile.Write(ref *(ulong*)(_blueFlame + _blueFlameOffset), firstQword);
        Mlx5Mmio.StoreFence();
        _blueFlameOffset ^= _blueFlameSize;
    }

    /// <summary>
    /// Retires WQEs up to and including the one with index <paramref name="wqeCounter"/> (from a send completion).
    /// Returns how many were retired; their slots start at <see cref="OldestSlot"/> as read before the call.
    /// A counter outside the outstanding window retires nothing.
    /// </summary>
    public int Complete(ushort wqeCounter)
    {
        int count = (ushort)(wqeCounter - (ushort)_consumerIndex) + 1;
        if (count > Outstanding) return 0;
        _consumerIndex += (uint)count;
        return count;
    }
}

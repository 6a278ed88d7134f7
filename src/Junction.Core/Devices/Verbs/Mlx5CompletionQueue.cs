using System.Buffers.Binary;

namespace Junction.Devices.Verbs;

/// <summary>
/// The consumer side of an mlx5 completion ring taken over from the provider with <c>mlx5dv_init_obj</c>.
/// The NIC writes each entry with an owner bit that flips on every pass around the ring, so an entry at consumer
/// index <c>ci</c> is new when its opcode is not "invalid" and its owner bit equals bit log2(count) of <c>ci</c>.
/// The consumer index goes back to the NIC through the doorbell record; arming writes the arm doorbell record and
/// the CQ doorbell in the UAR page so the next completion raises an event on the completion channel.
/// </summary>
internal sealed unsafe class Mlx5CompletionQueue
{
    private readonly byte* _entries;
    private readonly uint* _doorbellRecord;
    private readonly byte* _uar;
    private readonly uint _cqNumber;
    private readonly uint _mask;
    private readonly int _countLog2;
    private uint _consumerIndex;
    private uint _armSequence;

    /// <summary>Wraps a ring of <paramref name="entryCount"/> 64-byte entries (a power of two).</summary>
    public Mlx5CompletionQueue(byte* entries, int entryCount, uint* doorbellRecord, byte* uar, uint cqNumber)
    {
        if (entryCount <= 0 || !int.IsPow2(entryCount)) throw new ArgumentException("The CQE count must be a power of two.", nameof(entryCount));
        _entries = entries;
        _doorbellRecord = doorbellRecord;
        _uar = uar;
        _cqNumber = cqNumber;
        _mask = (uint)entryCount - 1;
        _countLog2 = int.Log2(entryCount);
    }

    /// <summary>How many entries were consumed since the ring was created (wraps at 2^32).</summary>
    public uint ConsumerIndex => _consumerIndex;

    /// <summary>Entries with an unexpected format (compressed CQEs are never requested); counted and skipped.</summary>
    public long MalformedEntries { get; private set; }

    /// <summary>Whether the NIC has written the entry at the consumer index (without taking it).</summary>
    public bool HasPending
    {
        get
        {
            byte opOwn = Volatile.Read(ref _entries[((_consumerIndex & _mask) * Mlx5Prm.CqeSize) + Mlx5Prm.CqeOpOwnOffset]);
            return (opOwn >> 4) != Mlx5Prm.CqeOpcodeInvalid && (opOwn & Mlx5Prm.CqeOwnerMask) == ((_consumerIndex >> _countLog2) & 1);
        }
    }

    /// <summary>Takes the next entry if the NIC has written it.</summary>
    public bool TryPoll(out Mlx5Completion completion)
    {
        while (true)
        {
            byte* cqe = _entries + ((_consumerIndex & _mask) * Mlx5Prm.CqeSize);
            // The op_own byte is written last by the NIC; reading it with acquire semantics orders the reads of
            // the rest of the entry after it (the dma read barrier of the C providers).
            byte opOwn = Volatile.Read(ref cqe[Mlx5Prm.CqeOpOwnOffset]);
            if ((opOwn >> 4) == Mlx5Prm.CqeOpcodeInvalid || (opOwn & Mlx5Prm.CqeOwnerMask) != ((_consumerIndex >> _countLog2) & 1))
            {
                completion = default;
                return false;
            }
            _consumerIndex++;
            if (((opOwn >> 2) & 3) == Mlx5Prm.CqeFormatCompressed)
            {
                MalformedEntries++;
                continue;
            }
            completion = Mlx5Completion.Parse(new ReadOnlySpan<byte>(cqe, Mlx5Prm.CqeSize));
            return true;
        }
    }

    /// <summary>Tells the NIC how far the ring was consumed, freeing those entries for new completions.</summary>
    public void UpdateDoorbellRecord()
    {
        Mlx5Mmio.StoreFence();
        Volatile.Write(ref _doorbellRecord[Mlx5Prm.CqSetConsumerIndex], BinaryPrimitives.ReverseEndianness(_consumerIndex & Mlx5Prm.CqConsumerIndexMask));
    }

    /// <summary>The value both arm doorbells carry: sequence (2 bits), command (0: any completion), consumer index.</summary>
    public uint ArmValue => ((_armSequence & 3) << 28) | (_consumerIndex & Mlx5Prm.CqConsumerIndexMask);

    /// <summary>
    /// Requests one event on the completion channel for the next completion after the current consumer index.
    /// Call after polling found the ring empty; poll once more afterwards, since a completion may have landed
    /// between the last poll and the arm.
    /// </summary>
    public void Arm()
    {
        uint value = ArmValue;
        Volatile.Write(ref _doorbellRecord[Mlx5Prm.CqArmIndex], BinaryPrimitives.ReverseEndianness(value));
        Mlx5Mmio.StoreFence();
        ulong doorbell = ((ulong)value << 32) | _cqNumber;
        Volatile.Write(ref *(ulong*)(_uar + Mlx5Prm.CqUarDoorbellOffset), BinaryPrimitives.ReverseEndianness(doorbell));
        Mlx5Mmio.StoreFence();
    }

    /// <summary>Records that the event an <see cref="Arm"/> asked for was taken, so the next arm uses a new sequence.</summary>
    public void EventConsumed() => _armSequence++;
}

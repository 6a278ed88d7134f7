namespace Junction.Devices.Verbs;

/// <summary>
/// Receive with multi-packet ("striding") WQEs, as Junction and Caladan do to bound receive memory: each WQE covers a
/// block of consecutive frames, one frame per stride, and the NIC packs successive packets into successive strides.
/// The receiver keeps one reference on every frame of its blocks; a packet is lent to the caller as an extra
/// reference on its frame. A block the NIC has used up is posted again only once every lent frame came back.
/// </summary>
internal sealed class Mlx5StridingReceiver : IDisposable
{
    private const int MinimumFrame = 14;
    private readonly Mlx5ReceiveQueue _queue;
    private readonly FramePool _pool;
    private readonly int _strides;
    private readonly int[] _blockFirstFrame;
    private readonly int[] _freeBlocks;
    private readonly int[] _retiredBlocks;
    private readonly int[] _slotBlock;
    private readonly int[] _slotStridesUsed;
    private int _freeCount;
    private int _retiredCount;
    private bool _disposed;

    /// <summary>
    /// Builds up to <paramref name="blockCount"/> blocks of <paramref name="stridesPerWqe"/> consecutive frames rented
    /// from <paramref name="pool"/> (frames that do not complete an aligned block go back to the pool).
    /// </summary>
    public Mlx5StridingReceiver(Mlx5ReceiveQueue queue, FramePool pool, int stridesPerWqe, int blockCount)
    {
        if (!queue.IsStriding) throw new ArgumentException("The queue takes single-packet WQEs.", nameof(queue));
        if (stridesPerWqe <= 0 || !int.IsPow2(stridesPerWqe)) throw new ArgumentException("The stride count must be a power of two.", nameof(stridesPerWqe));
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 1);
        _queue = queue;
        _pool = pool;
        _strides = stridesPerWqe;
        _slotBlock = new int[queue.Capacity];
        _slotStridesUsed = new int[queue.Capacity];
        _blockFirstFrame = FormBlocks(pool, stridesPerWqe, blockCount);
        _freeBlocks = new int[_blockFirstFrame.Length];
        _retiredBlocks = new int[_blockFirstFrame.Length];
        for (int b = _blockFirstFrame.Length - 1; b >= 0; b--) _freeBlocks[_freeCount++] = b;
        Array.Fill(_slotBlock, -1);
    }

    /// <summary>How many blocks the receiver owns.</summary>
    public int BlockCount => _blockFirstFrame.Length;

    /// <summary>Strides (frames) per WQE.</summary>
    public int StridesPerWqe => _strides;

    /// <summary>WQEs currently posted to the NIC.</summary>
    public int Posted => _queue.Outstanding;

    /// <summary>Used-up blocks waiting for lent frames to come back.</summary>
    public int Retired => _retiredCount;

    /// <summary>What was counted.</summary>
    public Mlx5ReceiveStatistics Statistics { get; } = new();

    private static int[] FormBlocks(FramePool pool, int strides, int blockCount)
    {
        int groups = pool.FrameCount / strides;
        var have = new int[groups];
        var rented = new List<int>();
        int complete = 0;
        while (complete < blockCount && pool.TryRent(out Frame frame))
        {
            rented.Add(frame.Index);
            int group = frame.Index / strides;
            if (group < groups && ++have[group] == strides) complete++;
        }
        var blocks = new int[complete];
        int next = 0;
        for (int g = 0; g < groups && next < complete; g++)
        {
            if (have[g] == strides)
            {
                blocks[next++] = g * strides;
                have[g] = -1;
            }
        }
        foreach (int index in rented)
        {
            int group = index / strides;
            if (group >= groups || have[group] != -1) pool.Release(index);
        }
        if (complete == 0) throw new InvalidOperationException("The pool has no run of consecutive free frames for a multi-packet WQE.");
        return blocks;
    }

    /// <summary>Reclaims used-up blocks whose frames all came back, posts free blocks into empty slots, rings the doorbell.</summary>
    public int Fill()
    {
        for (int i = 0; i < _retiredCount;)
        {
            int block = _retiredBlocks[i];
            if (AllReturned(block))
            {
                _freeBlocks[_freeCount++] = block;
                _retiredBlocks[i] = _retiredBlocks[--_retiredCount];
            }
            else
            {
                i++;
            }
        }
        int posted = 0;
        while (_queue.FreeSlots > 0 && _freeCount > 0)
        {
            int block = _freeBlocks[--_freeCount];
            int slot = _queue.Post(_pool.BaseAddress + (nint)_blockFirstFrame[block] * _pool.FrameSize, _strides * _pool.FrameSize);
            _slotBlock[slot] = block;
            _slotStridesUsed[slot] = 0;
            posted++;
        }
        _queue.RingDoorbell();
        return posted;
    }

    private bool AllReturned(int block)
    {
        int first = _blockFirstFrame[block];
        for (int s = 0; s < _strides; s++)
        {
            if (_pool.GetRefCount(first + s) != 1) return false;
        }
        return true;
    }

    /// <summary>Turns a receive completion into a frame; false when it carried no usable packet (counted).</summary>
    public bool TryTake(in Mlx5Completion completion, out Frame frame)
    {
        frame = default;
        int slot = _queue.SlotOf(completion.WqeCounter);
        int block = _slotBlock[slot];
        if (block < 0 || completion.IsError || completion.Opcode != Mlx5Prm.CqeOpcodeResponderSend)
        {
            Statistics.Errors++;
            return false;
        }
        int consumed = completion.StridesConsumed;
        int strideIndex = completion.StrideIndex;
        _slotStridesUsed[slot] += consumed;
        if (_slotStridesUsed[slot] >= _strides)
        {
            // The NIC moves to the next WQE once every stride is used; WQEs are used in ring order.
            _slotBlock[slot] = -1;
            _queue.RetireOldest();
            _retiredBlocks[_retiredCount++] = block;
        }
        if (completion.IsFiller)
        {
            Statistics.Fillers++;
            return false;
        }
        int length = completion.StridedLength;
        if (length < MinimumFrame || length > _pool.FrameSize || consumed != 1 || strideIndex >= _strides)
        {
            Statistics.Dropped++;
            return false;
        }
        frame = new Frame(_pool, _blockFirstFrame[block] + strideIndex, 0, length);
        frame.AddRef();
        Statistics.Packets++;
        return true;
    }

    /// <summary>Drops the receiver's reference on every block frame; call only once the NIC can no longer write them.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (int first in _blockFirstFrame)
        {
            for (int s = 0; s < _strides; s++)
            {
                if (_pool.GetRefCount(first + s) > 0) _pool.Release(first + s);
            }
        }
        _freeCount = 0;
        _retiredCount = 0;
    }
}

namespace Junction.Devices.Verbs;

/// <summary>
/// Receive with one frame per WQE: every posted WQE points at a whole frame rented from the pool; a completion hands
/// that frame (with the packet's length as its window) to the caller, and the slot is refilled with a fresh frame.
/// </summary>
internal sealed class Mlx5SinglePacketReceiver : IDisposable
{
    private const int MinimumFrame = 14;
    private readonly Mlx5ReceiveQueue _queue;
    private readonly FramePool _pool;
    private readonly Frame[] _slots;

    /// <summary>Receives into frames of <paramref name="pool"/> through <paramref name="queue"/>.</summary>
    public Mlx5SinglePacketReceiver(Mlx5ReceiveQueue queue, FramePool pool)
    {
        if (queue.IsStriding) throw new ArgumentException("The queue takes multi-packet WQEs.", nameof(queue));
        _queue = queue;
        _pool = pool;
        _slots = new Frame[queue.Capacity];
    }

    /// <summary>What was counted.</summary>
    public Mlx5ReceiveStatistics Statistics { get; } = new();

    /// <summary>Frames currently posted to the NIC.</summary>
    public int Posted => _queue.Outstanding;

    /// <summary>Posts free frames into every empty slot (as far as the pool has frames) and rings the doorbell.</summary>
    public int Fill()
    {
        int posted = 0;
        while (_queue.FreeSlots > 0 && _pool.TryRent(out Frame frame))
        {
            int slot = _queue.Post(_pool.BaseAddress + (nint)frame.Index * _pool.FrameSize, _pool.FrameSize);
            _slots[slot] = frame;
            posted++;
        }
        _queue.RingDoorbell();
        return posted;
    }

    /// <summary>Turns a receive completion into a frame; false when it carried no usable packet (counted).</summary>
    public bool TryTake(in Mlx5Completion completion, out Frame frame)
    {
        int slot = _queue.SlotOf(completion.WqeCounter);
        Frame posted = _slots[slot];
        _slots[slot] = default;
        _queue.RetireOldest();
        frame = default;
        if (posted.IsEmpty)
        {
            Statistics.Errors++;
            return false;
        }
        if (completion.IsError || completion.Opcode != Mlx5Prm.CqeOpcodeResponderSend)
        {
            Statistics.Errors++;
            posted.Release();
            return false;
        }
        int length = completion.ByteCount;
        if (length < MinimumFrame || length > _pool.FrameSize)
        {
            Statistics.Dropped++;
            posted.Release();
            return false;
        }
        Statistics.Packets++;
        frame = posted.WithWindow(0, length);
        return true;
    }

    /// <summary>Returns the frames still posted; call only once the NIC can no longer write them (queue destroyed).</summary>
    public void Dispose()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (!_slots[i].IsEmpty)
            {
                _slots[i].Release();
                _slots[i] = default;
            }
        }
    }
}

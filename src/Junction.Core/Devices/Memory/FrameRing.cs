namespace Junction.Devices.Memory;

/// <summary>A bounded first-in first-out queue of frames over a preallocated array.</summary>
internal sealed class FrameRing
{
    private readonly Frame[] _items;
    private int _head;

    public FrameRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new Frame[capacity];
    }

    public int Count { get; private set; }

    public bool IsFull => Count == _items.Length;

    /// <summary>Appends a frame; false (and nothing changed) when full.</summary>
    public bool TryEnqueue(Frame frame)
    {
        if (Count == _items.Length) return false;
        int tail = _head + Count;
        if (tail >= _items.Length) tail -= _items.Length;
        _items[tail] = frame;
        Count++;
        return true;
    }

    /// <summary>The oldest frame, left in place.</summary>
    public bool TryPeek(out Frame frame)
    {
        if (Count == 0)
        {
            frame = default;
            return false;
        }
        frame = _items[_head];
        return true;
    }

    /// <summary>Removes the oldest frame.</summary>
    public bool TryDequeue(out Frame frame)
    {
        if (!TryPeek(out frame)) return false;
        _items[_head] = default;
        if (++_head == _items.Length) _head = 0;
        Count--;
        return true;
    }

    /// <summary>Releases every queued frame and empties the ring.</summary>
    public void ReleaseAll()
    {
        while (TryDequeue(out Frame frame)) frame.Release();
    }
}

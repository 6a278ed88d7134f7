namespace Junction.Devices.Memory;

/// <summary>
/// Frames on their way to one port, ordered by arrival time and then by the order the switch sent them:
/// a binary min-heap over a preallocated array, so queueing a frame allocates nothing.
/// </summary>
internal sealed class DeliveryQueue
{
    private readonly Entry[] _heap;

    public DeliveryQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _heap = new Entry[capacity];
    }

    public int Count { get; private set; }

    public int Capacity => _heap.Length;

    public bool IsFull => Count == _heap.Length;

    /// <summary>The arrival time of the first frame, or <see cref="Instant.Never"/> when empty.</summary>
    public Instant NextDue => Count == 0 ? Instant.Never : new Instant(_heap[0].Due);

    /// <summary>Adds a frame; the caller checked <see cref="IsFull"/>.</summary>
    public void Push(Instant due, long sequence, Frame frame)
    {
        var entry = new Entry(due.Microseconds, sequence, frame);
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Precedes(entry, _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = entry;
    }

    /// <summary>Removes the first frame if it is due at <paramref name="now"/>.</summary>
    public bool TryPopDue(Instant now, out Frame frame)
    {
        if (Count == 0 || _heap[0].Due > now.Microseconds)
        {
            frame = default;
            return false;
        }
        frame = _heap[0].Frame;
        Entry last = _heap[--Count];
        _heap[Count] = default;
        if (Count > 0) SiftDown(last);
        return true;
    }

    /// <summary>Releases every queued frame and empties the queue.</summary>
    public void ReleaseAll()
    {
        for (int i = 0; i < Count; i++)
        {
            _heap[i].Frame.Release();
            _heap[i] = default;
        }
        Count = 0;
    }

    private void SiftDown(Entry entry)
    {
        int i = 0;
        int half = Count >> 1;
        while (i < half)
        {
            int child = 2 * i + 1;
            if (child + 1 < Count && Precedes(_heap[child + 1], _heap[child])) child++;
            if (!Precedes(_heap[child], entry)) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = entry;
    }

    private static bool Precedes(in Entry a, in Entry b) => a.Due < b.Due || (a.Due == b.Due && a.Sequence < b.Sequence);

    private readonly record struct Entry(long Due, long Sequence, Frame Frame);
}

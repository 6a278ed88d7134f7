using System.Runtime.InteropServices;

namespace Junction.Runtime;

/// <summary>
/// A run queue of uthreads: (callback, state) pairs in a bounded lock-free ring (Vyukov's MPMC queue), so any
/// thread may push and any kthread may pop or steal without allocating. A burst beyond the ring spills into a
/// locked overflow queue, which only grows when it is first used.
/// </summary>
internal sealed class WorkQueue
{
    private readonly Cell[] _cells;
    private readonly int _mask;
    private readonly Queue<WorkItem> _overflow = new();
    private PaddedLong _enqueuePosition;
    private PaddedLong _dequeuePosition;
    private volatile int _overflowCount;
    private long _overflowEnqueued;
    private long _overflowDequeued;

    public WorkQueue(int capacity = 1024)
    {
        if (!int.IsPow2(capacity)) throw new ArgumentException("Capacity must be a power of two.", nameof(capacity));
        _cells = new Cell[capacity];
        _mask = capacity - 1;
        for (int i = 0; i < capacity; i++) _cells[i].Sequence = i;
    }

    /// <summary>About how many items wait (exact when no thread is pushing or popping).</summary>
    public int Count => (int)Math.Max(0, Volatile.Read(ref _enqueuePosition.Value) - Volatile.Read(ref _dequeuePosition.Value)) + _overflowCount;

    /// <summary>How many items were ever queued.</summary>
    public long EnqueuedCount => Volatile.Read(ref _enqueuePosition.Value) + Volatile.Read(ref _overflowEnqueued);

    /// <summary>
    /// How many items were ever taken. The allocator compares it with <see cref="EnqueuedCount"/> of its previous
    /// check: if not every item queued back then has been taken, the oldest one has waited a whole interval.
    /// </summary>
    public long DequeuedCount => Volatile.Read(ref _dequeuePosition.Value) + Volatile.Read(ref _overflowDequeued);

    public bool IsEmpty => Count == 0;

    public void Enqueue(object callback, object? state)
    {
        if (TryEnqueueRing(callback, state)) return;
        lock (_overflow)
        {
            _overflow.Enqueue(new WorkItem(callback, state));
            _overflowCount++;
            _overflowEnqueued++;
        }
    }

    public bool TryDequeue(out WorkItem item)
    {
        if (TryDequeueRing(out item)) return true;
        if (_overflowCount == 0) return false;
        lock (_overflow)
        {
            if (!_overflow.TryDequeue(out item)) return false;
            _overflowCount--;
            _overflowDequeued++;
            return true;
        }
    }

    private bool TryEnqueueRing(object callback, object? state)
    {
        long position = Volatile.Read(ref _enqueuePosition.Value);
        while (true)
        {
            ref Cell cell = ref _cells[position & _mask];
            long sequence = Volatile.Read(ref cell.Sequence);
            long difference = sequence - position;
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref _enqueuePosition.Value, position + 1, position) == position)
                {
                    cell.Callback = callback;
                    cell.State = state;
                    Volatile.Write(ref cell.Sequence, position + 1);
                    return true;
                }
                position = Volatile.Read(ref _enqueuePosition.Value);
            }
            else if (difference < 0)
            {
                return false;
            }
            else
            {
                position = Volatile.Read(ref _enqueuePosition.Value);
            }
        }
    }

    private bool TryDequeueRing(out WorkItem item)
    {
        long position = Volatile.Read(ref _dequeuePosition.Value);
        while (true)
        {
            ref Cell cell = ref _cells[position & _mask];
            long sequence = Volatile.Read(ref cell.Sequence);
            long difference = sequence - (position + 1);
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref _dequeuePosition.Value, position + 1, position) == position)
                {
                    item = new WorkItem(cell.Callback!, cell.State);
                    cell.Callback = null;
                    cell.State = null;
                    Volatile.Write(ref cell.Sequence, position + _mask + 1);
                    return true;
                }
                position = Volatile.Read(ref _dequeuePosition.Value);
            }
            else if (difference < 0)
            {
                item = default;
                return false;
            }
            else
            {
                position = Volatile.Read(ref _dequeuePosition.Value);
            }
        }
    }

    private struct Cell
    {
        public long Sequence;
        public object? Callback;
        public object? State;
    }

    /// <summary>A counter on its own cache line, so producers and consumers do not false-share.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedLong
    {
        [FieldOffset(64)]
        public long Value;
    }
}

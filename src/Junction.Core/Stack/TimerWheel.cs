using System.Numerics;

namespace Junction.Stack;

/// <summary>
/// A hierarchical timing wheel: O(1) schedule and cancel, and an advance that costs per occupied slot rather
/// than per elapsed tick, so hundreds of thousands of connection timers stay cheap.
/// </summary>
/// <remarks>
/// Geometry: 4 levels of 64 slots over a 1 ms tick. 1 ms is finer than any TCP timer needs (the RFC 6298 clock
/// granularity G is 1 ms here, delayed ACKs are tens of ms), and 64 slots let each level's occupancy live in one
/// <see cref="ulong"/> bitmap, so the next occupied slot is a single trailing-zero count. The levels reach
/// 64 ms, 4.1 s, 4.4 min and 4.66 h; that covers RTO (max 120 s), TIME_WAIT and the 2 h keepalive, and anything
/// further waits in an overflow list that is re-sorted once every 4.66 h.
/// <para>
/// Placement follows the highest tick digit in which the deadline differs from the wheel's current tick, so a
/// slot's range is entirely in the future and the slots, read level by level from the current digit upwards,
/// are in deadline order. Slots only group deadlines: firing compares the exact microsecond deadline, and a
/// slot that fires is sorted first, so entries fire earliest first.
/// </para>
/// </remarks>
internal sealed class TimerWheel
{
    private const int SlotBits = 6;
    private const int SlotsPerLevel = 1 << SlotBits;
    private const int SlotMask = SlotsPerLevel - 1;
    private const int Levels = 4;
    private const int TickMicroseconds = 1000;
    private const int OverflowList = Levels * SlotsPerLevel;
    private const int DeferredList = OverflowList + 1;
    private const int FiringList = OverflowList + 2;
    private const int ListCount = OverflowList + 3;

    private readonly ListHead[] _lists = new ListHead[ListCount];
    private readonly ulong[] _occupied = new ulong[Levels];
    private readonly TimerEntry?[] _sortBins = new TimerEntry?[64];
    private long _currentTick;
    private bool _advancing;
    private long _advanceNow;
    private long _cachedNextDeadline;
    private bool _nextDeadlineValid;

    /// <summary>Creates an empty wheel whose clock starts at <paramref name="start"/>.</summary>
    public TimerWheel(Instant start)
    {
        for (int i = 0; i < _lists.Length; i++) _lists[i] = new ListHead(i);
        _currentTick = TickOf(start.Microseconds);
    }

    /// <summary>How many entries are scheduled.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// A time no later than the earliest scheduled deadline, and exactly that deadline when it lies in the first
    /// two levels (within about 4 s of the wheel's clock); further out it is the start of the slot that holds
    /// it, so a driver that jumps its clock here and advances lands on the exact deadline after at most a few
    /// jumps. <see cref="Instant.Never"/> when the wheel is empty.
    /// </summary>
    public Instant NextDeadline
    {
        get
        {
            if (!_nextDeadlineValid)
            {
                _cachedNextDeadline = ComputeNextDeadline();
                _nextDeadlineValid = true;
            }
            return new Instant(_cachedNextDeadline);
        }
    }

    /// <summary>
    /// Schedules <paramref name="entry"/> at <paramref name="deadline"/>, moving it if it is already scheduled.
    /// A deadline in the past fires on the next <see cref="Advance"/> (not the one running, when called from a
    /// callback). <see cref="Instant.Never"/> cancels.
    /// </summary>
    public void Schedule(TimerEntry entry, Instant deadline)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Owner is not null && entry.Owner != this)
            throw new InvalidOperationException("The timer entry is scheduled on another wheel.");
        if (deadline == Instant.Never)
        {
            Cancel(entry);
            return;
        }

        if (entry.Owner is null)
        {
            entry.Owner = this;
            Count++;
        }
        else
        {
            Unlink(entry);
        }

        long micros = deadline.Microseconds;
        entry.DeadlineMicroseconds = micros;
        if (_advancing && micros <= _advanceNow) Link(entry, DeferredList);
        else Place(entry);

        if (_nextDeadlineValid && micros < _cachedNextDeadline) _cachedNextDeadline = micros;
    }

    /// <summary>Unschedules <paramref name="entry"/>; does nothing if it is not scheduled.</summary>
    public void Cancel(TimerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Owner != this) return;
        Unlink(entry);
        entry.Owner = null;
        entry.DeadlineMicroseconds = long.MaxValue;
        Count--;
    }

    /// <summary>
    /// Moves the wheel's clock to <paramref name="now"/> and fires every entry whose deadline is at or before it,
    /// earliest first. Callbacks may schedule or cancel any entry, including ones due in this same call.
    /// </summary>
    /// <returns>How many entries fired.</returns>
    public int Advance(Instant now)
    {
        if (_advancing) throw new InvalidOperationException("TimerWheel.Advance is not reentrant.");
        long nowMicros = now.Microseconds;
        long targetTick = TickOf(nowMicros);
        int fired = 0;
        _advancing = true;
        _advanceNow = nowMicros;
        try
        {
            while (FindFirstOccupied(out int list, out long slotStartTick) && slotStartTick <= targetTick)
            {
                _currentTick = slotStartTick;
                if (list < SlotsPerLevel)
                {
                    fired += FireSlot(list, nowMicros);
                    // What is left in this slot is due later in the current tick.
                    if (slotStartTick == targetTick) break;
                }
                else
                {
                    Cascade(list);
                }
            }
            if (targetTick > _currentTick) _currentTick = targetTick;
        }
        finally
        {
            _advancing = false;
            // Entries scheduled into the past by callbacks wait for the next advance; so do the rest of a slot
            // whose firing a throwing callback interrupted.
            ReplaceAll(_lists[DeferredList]);
            ReplaceAll(_lists[FiringList]);
            _nextDeadlineValid = false;
        }
        return fired;
    }

    private int FireSlot(int list, long nowMicros)
    {
        ListHead head = _lists[list];
        ListHead firing = _lists[FiringList];
        SortInto(head, firing);
        _occupied[0] &= ~(1UL << list);

        int fired = 0;
        while (firing.NextInList != firing)
        {
            TimerEntry entry = firing.NextInList!;
            Unlink(entry);
            if (entry.DeadlineMicroseconds > nowMicros)
            {
                Link(entry, list);
                continue;
            }
            entry.Owner = null;
            entry.DeadlineMicroseconds = long.MaxValue;
            Count--;
            fired++;
            entry.OnTimer(new Instant(nowMicros));
        }
        return fired;
    }

    private void Cascade(int list) => ReplaceAll(_lists[list]);

    /// <summary>Empties a list and places each of its entries again (the overflow list may take some back).</summary>
    private void ReplaceAll(ListHead head)
    {
        TimerEntry? entry = head.NextInList == head ? null : head.NextInList;
        head.PreviousInList!.NextInList = null;
        head.NextInList = head;
        head.PreviousInList = head;
        int list = head.ListIndex;
        if (list < OverflowList) _occupied[list >> SlotBits] &= ~(1UL << (list & SlotMask));
        while (entry is not null)
        {
            TimerEntry? next = entry.NextInList;
            Place(entry);
            entry = next;
        }
    }

    /// <summary>Puts a scheduled entry into the slot its deadline belongs to, relative to the current tick.</summary>
    private void Place(TimerEntry entry)
    {
        long tick = Math.Max(TickOf(entry.DeadlineMicroseconds), _currentTick);
        ulong difference = (ulong)(tick ^ _currentTick);
        int level = (63 - BitOperations.LeadingZeroCount(difference | SlotMask)) / SlotBits;
        int list = level >= Levels
            ? OverflowList
            : level * SlotsPerLevel + (int)((tick >> (level * SlotBits)) & SlotMask);
        Link(entry, list);
    }

    /// <summary>The earliest occupied list: a wheel slot, or the overflow list, and the first tick it covers.</summary>
    private bool FindFirstOccupied(out int list, out long slotStartTick)
    {
        for (int level = 0; level < Levels; level++)
        {
            int shift = level * SlotBits;
            int digit = (int)((_currentTick >> shift) & SlotMask);
            ulong candidates = _occupied[level] & (ulong.MaxValue << digit);
            if (candidates == 0) continue;
            int slot = BitOperations.TrailingZeroCount(candidates);
            list = level * SlotsPerLevel + slot;
            long levelBase = _currentTick >> (shift + SlotBits) << (shift + SlotBits);
            slotStartTick = levelBase + ((long)slot << shift);
            return true;
        }
        ListHead overflow = _lists[OverflowList];
        if (overflow.NextInList != overflow)
        {
            list = OverflowList;
            const int wheelBits = Levels * SlotBits;
            slotStartTick = ((_currentTick >> wheelBits) + 1) << wheelBits;
            return true;
        }
        list = -1;
        slotStartTick = long.MaxValue;
        return false;
    }

    private long ComputeNextDeadline()
    {
        if (Count == 0) return long.MaxValue;
        ListHead deferred = _lists[DeferredList];
        long earliest = long.MaxValue;
        for (TimerEntry e = deferred.NextInList!; e != deferred; e = e.NextInList!)
            earliest = Math.Min(earliest, e.DeadlineMicroseconds);
        if (earliest != long.MaxValue) return earliest;

        if (!FindFirstOccupied(out int list, out long slotStartTick)) return long.MaxValue;
        if (list >= 2 * SlotsPerLevel) return Math.Max(slotStartTick, _currentTick) * TickMicroseconds;
        ListHead head = _lists[list];
        for (TimerEntry e = head.NextInList!; e != head; e = e.NextInList!)
            earliest = Math.Min(earliest, e.DeadlineMicroseconds);
        return earliest;
    }

    private void Link(TimerEntry entry, int list)
    {
        ListHead head = _lists[list];
        TimerEntry last = head.PreviousInList!;
        entry.PreviousInList = last;
        entry.NextInList = head;
        last.NextInList = entry;
        head.PreviousInList = entry;
        entry.ListIndex = list;
        if (list < OverflowList) _occupied[list >> SlotBits] |= 1UL << (list & SlotMask);
    }

    private void Unlink(TimerEntry entry)
    {
        if (_nextDeadlineValid && entry.DeadlineMicroseconds == _cachedNextDeadline) _nextDeadlineValid = false;
        TimerEntry previous = entry.PreviousInList!;
        TimerEntry next = entry.NextInList!;
        previous.NextInList = next;
        next.PreviousInList = previous;
        entry.NextInList = null;
        entry.PreviousInList = null;
        int list = entry.ListIndex;
        entry.ListIndex = TimerEntry.Unlinked;
        if (list < OverflowList && next == previous && next == _lists[list])
            _occupied[list >> SlotBits] &= ~(1UL << (list & SlotMask));
    }

    /// <summary>
    /// Moves the entries of <paramref name="source"/> into the empty <paramref name="target"/> list in deadline
    /// order: a bottom-up merge sort over the forward links using fixed bins (no allocation).
    /// </summary>
    private void SortInto(ListHead source, ListHead target)
    {
        TimerEntry?[] bins = _sortBins;
        int usedBins = 0;
        TimerEntry? node = source.NextInList == source ? null : source.NextInList;
        source.PreviousInList!.NextInList = null;
        source.NextInList = source;
        source.PreviousInList = source;
        while (node is not null)
        {
            TimerEntry? carry = node;
            node = node.NextInList;
            carry.NextInList = null;
            int i = 0;
            while (bins[i] is not null)
            {
                carry = Merge(bins[i]!, carry);
                bins[i] = null;
                i++;
            }
            bins[i] = carry;
            if (i >= usedBins) usedBins = i + 1;
        }

        TimerEntry? sorted = null;
        for (int i = 0; i < usedBins; i++)
        {
            if (bins[i] is null) continue;
            sorted = sorted is null ? bins[i] : Merge(bins[i]!, sorted);
            bins[i] = null;
        }

        TimerEntry tail = target;
        for (TimerEntry? e = sorted; e is not null; e = e.NextInList)
        {
            e.PreviousInList = tail;
            e.ListIndex = FiringList;
            tail.NextInList = e;
            tail = e;
        }
        tail.NextInList = target;
        target.PreviousInList = tail;
    }

    private static TimerEntry Merge(TimerEntry a, TimerEntry b)
    {
        TimerEntry? x = a, y = b;
        TimerEntry first;
        if (y.DeadlineMicroseconds < x.DeadlineMicroseconds) { first = y; y = y.NextInList; }
        else { first = x; x = x.NextInList; }
        TimerEntry tail = first;
        while (x is not null && y is not null)
        {
            if (y.DeadlineMicroseconds < x.DeadlineMicroseconds) { tail.NextInList = y; tail = y; y = y.NextInList; }
            else { tail.NextInList = x; tail = x; x = x.NextInList; }
        }
        tail.NextInList = x ?? y;
        return first;
    }

    private static long TickOf(long microseconds) => microseconds / TickMicroseconds;

    /// <summary>The sentinel of a circular list; never scheduled, so never fires.</summary>
    private sealed class ListHead : TimerEntry
    {
        public ListHead(int list)
        {
            NextInList = this;
            PreviousInList = this;
            ListIndex = list;
        }

        protected internal override void OnTimer(Instant now)
        {
            // A list head is not an entry; the wheel never calls it.
        }
    }
}

using Junction.Devices;
using Junction.Wire;

namespace Junction.Stack;

/// <summary>
/// IPv4-to-MAC mappings with expiry, plus the bounded set of outgoing frames parked while their next hop
/// is being resolved. Pure bookkeeping: the stack decides when to send requests and what to do with frames.
/// </summary>
internal sealed class ArpCache : IDisposable
{
    private struct Entry
    {
        public MacAddress Mac;
        public bool Resolved;
        public Instant Expires;      // resolved: when to resolve again; unresolved: when to retry the request
        public int RequestsSent;
    }

    private struct PendingFrame
    {
        public Frame Frame;
        public Ipv4Address NextHop;
    }

    private readonly Dictionary<Ipv4Address, Entry> _entries;
    private readonly PendingFrame[] _pending;
    private readonly int _capacity;
    private int _pendingCount;

    public ArpCache(int capacity, int pendingCapacity)
    {
        _capacity = capacity;
        _entries = new Dictionary<Ipv4Address, Entry>(capacity);
        _pending = new PendingFrame[pendingCapacity];
    }

    public int PendingCount => _pendingCount;

    public bool TryLookup(Ipv4Address address, Instant now, out MacAddress mac)
    {
        if (_entries.TryGetValue(address, out Entry entry) && entry.Resolved && entry.Expires > now)
        {
            mac = entry.Mac;
            return true;
        }
        mac = default;
        return false;
    }

    /// <summary>Records a mapping heard on the wire. Returns false when the cache is full of other live entries.</summary>
    public bool Learn(Ipv4Address address, MacAddress mac, Instant now, TimeSpan lifetime)
    {
        if (!_entries.ContainsKey(address) && _entries.Count >= _capacity && !EvictOneExpired(now)) return false;
        _entries[address] = new Entry { Mac = mac, Resolved = true, Expires = now + lifetime };
        return true;
    }

    /// <summary>Whether a mapping for the address exists (even one about to expire): RFC 826 updates only known senders.</summary>
    public bool Contains(Ipv4Address address) => _entries.ContainsKey(address);

    /// <summary>
    /// Parks a frame until <paramref name="nextHop"/> resolves. Returns whether a request should go out now
    /// (first packet for this address); false with <paramref name="accepted"/> false means the frame was not taken.
    /// </summary>
    public bool Park(in Frame frame, Ipv4Address nextHop, Instant now, TimeSpan retryInterval, out bool accepted)
    {
        accepted = false;
        if (_pendingCount == _pending.Length) return false;
        bool sendRequest = false;
        if (!_entries.TryGetValue(nextHop, out Entry entry) || entry.Resolved)
        {
            if (!_entries.ContainsKey(nextHop) && _entries.Count >= _capacity && !EvictOneExpired(now)) return false;
            _entries[nextHop] = new Entry { Resolved = false, Expires = now + retryInterval, RequestsSent = 1 };
            sendRequest = true;
        }
        _pending[_pendingCount++] = new PendingFrame { Frame = frame, NextHop = nextHop };
        accepted = true;
        return sendRequest;
    }

    /// <summary>Takes the parked frames for <paramref name="address"/> (now resolved) out, in the order parked.</summary>
    public int TakeParked(Ipv4Address address, Span<Frame> destination)
    {
        int taken = 0, kept = 0;
        for (int i = 0; i < _pendingCount; i++)
        {
            if (_pending[i].NextHop == address && taken < destination.Length) destination[taken++] = _pending[i].Frame;
            else _pending[kept++] = _pending[i];
        }
        Array.Clear(_pending, kept, _pendingCount - kept);
        _pendingCount = kept;
        return taken;
    }

    /// <summary>
    /// Finds the next unresolved address whose retry is due. Returns true with <paramref name="giveUp"/> set when
    /// it has been asked <paramref name="attempts"/> times (the caller drops its frames via <see cref="DropParked"/>).
    /// </summary>
    public bool TryGetDueRequest(Instant now, TimeSpan retryInterval, int attempts, out Ipv4Address address, out bool giveUp)
    {
        foreach (KeyValuePair<Ipv4Address, Entry> pair in _entries)
        {
            Entry entry = pair.Value;
            if (entry.Resolved || entry.Expires > now) continue;
            address = pair.Key;
            giveUp = entry.RequestsSent >= attempts;
            if (giveUp) _entries.Remove(address);
            else _entries[address] = entry with { RequestsSent = entry.RequestsSent + 1, Expires = now + retryInterval };
            return true;
        }
        address = default;
        giveUp = false;
        return false;
    }

    /// <summary>Releases every frame parked for <paramref name="address"/>; returns how many.</summary>
    public int DropParked(Ipv4Address address)
    {
        int dropped = 0, kept = 0;
        for (int i = 0; i < _pendingCount; i++)
        {
            if (_pending[i].NextHop == address)
            {
                _pending[i].Frame.Release();
                dropped++;
            }
            else _pending[kept++] = _pending[i];
        }
        Array.Clear(_pending, kept, _pendingCount - kept);
        _pendingCount = kept;
        return dropped;
    }

    /// <summary>The earliest time an unresolved entry needs a retry (Never if none).</summary>
    public Instant NextRetry
    {
        get
        {
            Instant next = Instant.Never;
            if (_pendingCount == 0) return next;
            foreach (KeyValuePair<Ipv4Address, Entry> pair in _entries)
                if (!pair.Value.Resolved) next = Instant.Min(next, pair.Value.Expires);
            return next;
        }
    }

    private bool EvictOneExpired(Instant now)
    {
        foreach (KeyValuePair<Ipv4Address, Entry> pair in _entries)
        {
            if (pair.Value.Resolved && pair.Value.Expires <= now)
            {
                _entries.Remove(pair.Key);
                return true;
            }
        }
        return false;
    }

    public void Dispose()
    {
        for (int i = 0; i < _pendingCount; i++) _pending[i].Frame.Release();
        Array.Clear(_pending);
        _pendingCount = 0;
    }
}

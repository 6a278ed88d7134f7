using System.Buffers;
using System.Numerics;

namespace Junction.Stack.Tcp;

/// <summary>
/// Bytes the application wrote and the peer has not acknowledged yet, in a byte ring.
/// Offsets are relative to SND.UNA (offset 0 = the first unacknowledged byte).
/// </summary>
/// <remarks>
/// <para>Storage comes from <see cref="ArrayPool{T}.Shared"/>: it is rented on the first write, grows by doubling up to
/// <see cref="Capacity"/> (so a connection that sends little holds little), and goes back to the pool as soon as
/// everything was acknowledged and on <see cref="Dispose"/>, so idle connections hold no buffer at all.
/// Renting from the shared pool does not allocate once the pool is warm.</para>
/// <para>With <see cref="UseExternalStorage"/> the ring is an array the caller owns (the socket layer's writer): it
/// never grows, moves or goes back to a pool, and its head keeps turning when the buffer empties, so the caller can
/// write the next bytes straight into the ring's free part and only <see cref="Commit"/> them here (one copy less).</para>
/// </remarks>
internal sealed class TcpSendBuffer : IDisposable
{
    /// <summary>The smallest array rented, so that small writes do not cause a chain of regrowths.</summary>
    internal const int MinimumStorage = 4096;

    /// <summary>The largest capacity: the ring is one power-of-two array.</summary>
    public const int MaxCapacity = 1 << 30;

    private byte[]? _storage;
    private int _head;
    private int _count;
    private int _capacity;
    private int _ringSize; // a power of two <= _storage.Length, so positions wrap with a mask
    private bool _external;

    /// <summary>Creates an empty buffer that will hold at most <paramref name="capacity"/> bytes.</summary>
    public TcpSendBuffer(int capacity)
    {
        Capacity = capacity;
    }

    /// <summary>
    /// The most bytes the buffer takes. Lowering it below <see cref="Count"/> keeps the bytes already held and
    /// takes no more until acknowledgements bring <see cref="Count"/> under the new value.
    /// </summary>
    public int Capacity
    {
        get => _capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxCapacity);
            _capacity = value;
        }
    }

    /// <summary>Bytes held: sent-but-unacknowledged plus not-yet-sent.</summary>
    public int Count => _count;

    /// <summary>Room for more bytes (<see cref="Capacity"/> - <see cref="Count"/>, never below zero; never beyond external storage).</summary>
    public int Free => Math.Max(0, (_external ? Math.Min(_capacity, _ringSize) : _capacity) - _count);

    /// <summary>Whether the ring is caller-owned storage (see <see cref="UseExternalStorage"/>).</summary>
    public bool IsExternal => _external;

    /// <summary>
    /// Makes <paramref name="storage"/> (a power-of-two length) the ring from now on. Only while the buffer is empty
    /// and before any storage was rented; ring position 0 is the next byte written.
    /// </summary>
    public void UseExternalStorage(byte[] storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (!BitOperations.IsPow2(storage.Length)) throw new ArgumentException("The ring's length must be a power of two.", nameof(storage));
        if (_count != 0 || _storage is not null) throw new InvalidOperationException("External storage is set on an empty buffer only.");
        _storage = storage;
        _ringSize = storage.Length;
        _head = 0;
        _external = true;
    }

    /// <summary>
    /// Appends <paramref name="count"/> bytes the caller already wrote into external storage right after the bytes
    /// held (ring position (head + <see cref="Count"/>) mod ring size onwards).
    /// </summary>
    public void Commit(int count)
    {
        if (!_external) throw new InvalidOperationException("Commit needs external storage.");
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Free);
        _count += count;
    }

    /// <summary>The length of the array currently rented (0 when none): lets tests check idle buffers hold nothing.</summary>
    internal int StorageLength => _storage?.Length ?? 0;

    /// <summary>Appends as much of <paramref name="data"/> as fits.</summary>
    /// <returns>How many bytes were taken.</returns>
    public int Write(ReadOnlySpan<byte> data)
    {
        int take = Math.Min(data.Length, Free);
        if (take == 0) return 0;
        EnsureStorage(_count + take);

        byte[] storage = _storage!;
        int tail = (_head + _count) & (_ringSize - 1);
        int firstPart = Math.Min(take, _ringSize - tail);
        data.Slice(0, firstPart).CopyTo(storage.AsSpan(tail));
        data.Slice(firstPart, take - firstPart).CopyTo(storage);
        _count += take;
        return take;
    }

    /// <summary>The bytes [<paramref name="offset"/>, offset+<paramref name="length"/>) as at most two spans (the ring may wrap).</summary>
    public void Peek(int offset, int length, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second)
    {
        CheckRange(offset, length);
        if (length == 0)
        {
            first = default;
            second = default;
            return;
        }
        byte[] storage = _storage!;
        int start = (_head + offset) & (_ringSize - 1);
        int firstPart = Math.Min(length, _ringSize - start);
        first = new ReadOnlySpan<byte>(storage, start, firstPart);
        second = new ReadOnlySpan<byte>(storage, 0, length - firstPart);
    }

    /// <summary>Copies the bytes [<paramref name="offset"/>, offset+destination.Length) into <paramref name="destination"/>.</summary>
    public void CopyTo(int offset, Span<byte> destination)
    {
        Peek(offset, destination.Length, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second);
        first.CopyTo(destination);
        second.CopyTo(destination.Slice(first.Length));
    }

    /// <summary>Drops <paramref name="count"/> acknowledged bytes from the front; returns the storage when that empties the buffer.</summary>
    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _count);
        if (count == 0) return;
        _count -= count;
        if (_count == 0 && !_external)
        {
            ReturnStorage();
            return;
        }
        _head = (_head + count) & (_ringSize - 1);
    }

    /// <summary>Gives the storage back to the pool; the buffer is empty afterwards.</summary>
    public void Dispose()
    {
        _count = 0;
        if (_external)
        {
            // The caller still owns the array; this buffer just lets go of it and takes nothing more.
            _storage = null;
            _ringSize = 0;
            return;
        }
        ReturnStorage();
    }

    private void CheckRange(int offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if ((long)offset + length > _count) throw new ArgumentOutOfRangeException(nameof(length), "The range runs past the bytes held.");
    }

    private void EnsureStorage(int needed)
    {
        if (_ringSize >= needed || _external) return;

        // Power-of-two sizes let the ring wrap with a mask; ArrayPool hands out power-of-two arrays anyway.
        int size = Math.Max(MinimumStorage, (int)Math.Min(MaxCapacity, BitOperations.RoundUpToPowerOf2((uint)needed)));
        if (_ringSize > 0 && _ringSize <= MaxCapacity / 2) size = Math.Max(size, _ringSize * 2);
        byte[] grown = ArrayPool<byte>.Shared.Rent(size);

        if (_storage is not null)
        {
            Peek(0, _count, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second);
            first.CopyTo(grown);
            second.CopyTo(grown.AsSpan(first.Length));
            ArrayPool<byte>.Shared.Return(_storage);
        }
        _storage = grown;
        // Rent may return a larger array; the largest power of two that fits keeps the mask valid.
        _ringSize = 1 << BitOperations.Log2((uint)grown.Length);
        _head = 0;
    }

    private void ReturnStorage()
    {
        // Caller-owned storage never goes to a pool, and its head keeps its place: the caller writes after it.
        if (_external) return;
        _head = 0;
        if (_storage is null) return;
        ArrayPool<byte>.Shared.Return(_storage);
        _storage = null;
        _ringSize = 0;
    }
}

namespace Junction.Devices;

/// <summary>
/// A lease on one frame of device memory: which frame of which pool, and the window of bytes in it that
/// hold the packet. Whoever holds a frame releases it exactly once (<see cref="Release"/>), or passes it on.
/// </summary>
public readonly struct Frame
{
    /// <summary>Creates a lease over bytes [<paramref name="offset"/>, offset+length) of frame <paramref name="index"/>.</summary>
    public Frame(FramePool pool, int index, int offset, int length)
    {
        Pool = pool;
        Index = index;
        Offset = offset;
        Length = length;
    }

    /// <summary>The pool that owns the memory.</summary>
    public FramePool Pool { get; }

    /// <summary>The frame's number within its pool.</summary>
    public int Index { get; }

    /// <summary>Where the packet starts within the frame.</summary>
    public int Offset { get; }

    /// <summary>The packet's length in bytes.</summary>
    public int Length { get; }

    /// <summary>Whether this is the default (empty) value rather than a lease.</summary>
    public bool IsEmpty => Pool is null;

    /// <summary>The packet bytes.</summary>
    public Span<byte> Span => Pool.GetFrameSpan(Index).Slice(Offset, Length);

    /// <summary>The same frame with a different packet window.</summary>
    public Frame WithWindow(int offset, int length) => new(Pool, Index, offset, length);

    /// <summary>Takes one more reference on the frame (a receive buffer keeping payload in place).</summary>
    public void AddRef() => Pool.AddRef(Index);

    /// <summary>Drops one reference; the last one returns the frame to its pool.</summary>
    public void Release() => Pool.Release(Index);
}

using System.Runtime.InteropServices;

namespace Junction.Devices;

/// <summary>
/// Fixed-size frames carved out of one block of native memory that never moves, so a NIC (AF_XDP UMEM,
/// a verbs memory region) can DMA into it and spans over it can be handed out without pinning.
/// Frames are reference counted so that payload can stay where it arrived until the application consumed it.
/// </summary>
/// <remarks>
/// Not thread-safe: a pool is used by the thread that owns the stack instances drawing from it
/// (the per-packet path takes no lock). The in-process virtual switch in real-time mode copies frames into a
/// port's pool from the sender's thread; it makes that pool take a lock (<see cref="MakeThreadSafe"/>).
/// </remarks>
public sealed unsafe class FramePool : IDisposable
{
    private readonly int[] _free;
    private readonly ushort[] _refCounts;
    private readonly Action? _releaseExternalMemory;
    private byte* _memory;
    private int _freeCount;
    private object? _sync;

    /// <summary>Allocates <paramref name="frameCount"/> frames of <paramref name="frameSize"/> bytes, page aligned.</summary>
    public FramePool(int frameCount, int frameSize = 2048)
        : this(null, frameCount, frameSize, null)
    {
    }

    /// <summary>
    /// A pool over memory someone else allocated (an AF_XDP UMEM mapped with mmap): zeroed, page aligned, at least
    /// <paramref name="frameCount"/> × <paramref name="frameSize"/> bytes. <paramref name="releaseMemory"/> runs once on
    /// <see cref="Dispose"/> instead of freeing the memory here.
    /// </summary>
    internal FramePool(byte* memory, int frameCount, int frameSize, Action? releaseMemory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSize, 256);
        if (!int.IsPow2(frameSize)) throw new ArgumentException("Frame size must be a power of two.", nameof(frameSize));
        FrameCount = frameCount;
        FrameSize = frameSize;
        if (memory is null)
        {
            nuint bytes = (nuint)frameCount * (nuint)frameSize;
            _memory = (byte*)NativeMemory.AlignedAlloc(bytes, 4096);
            NativeMemory.Clear(_memory, bytes);
        }
        else
        {
            _memory = memory;
            _releaseExternalMemory = releaseMemory;
        }
        _free = new int[frameCount];
        _refCounts = new ushort[frameCount];
        // Hand out low indexes first: it keeps a lightly used pool's working set small.
        for (int i = 0; i < frameCount; i++) _free[i] = frameCount - 1 - i;
        _freeCount = frameCount;
    }

    /// <summary>How many frames the pool holds.</summary>
    public int FrameCount { get; }

    /// <summary>The size of each frame in bytes.</summary>
    public int FrameSize { get; }

    /// <summary>How many frames are free right now; equals <see cref="FrameCount"/> when every lease was returned.</summary>
    public int FreeCount => _freeCount;

    /// <summary>The start of the pool's memory (for registering it with a NIC).</summary>
    public nint BaseAddress => (nint)_memory;

    /// <summary>The size of the pool's memory in bytes.</summary>
    public long SizeInBytes => (long)FrameCount * FrameSize;

    /// <summary>Rents a frame with a reference count of one, its window covering the whole frame.</summary>
    public bool TryRent(out Frame frame)
    {
        if (_sync is null) return TryRentCore(out frame);
        lock (_sync) return TryRentCore(out frame);
    }

    private bool TryRentCore(out Frame frame)
    {
        if (_freeCount == 0)
        {
            frame = default;
            return false;
        }
        int index = _free[--_freeCount];
        _refCounts[index] = 1;
        frame = new Frame(this, index, 0, FrameSize);
        return true;
    }

    /// <summary>The whole frame <paramref name="index"/>.</summary>
    public Span<byte> GetFrameSpan(int index)
    {
        ObjectDisposedException.ThrowIf(_memory == null, this);
        if ((uint)index >= (uint)FrameCount) throw new ArgumentOutOfRangeException(nameof(index));
        return new Span<byte>(_memory + (nint)index * FrameSize, FrameSize);
    }

    /// <summary>Whether <paramref name="address"/> lies inside the pool's memory (a zero-copy check for tests).</summary>
    public bool Contains(nint address) => address >= (nint)_memory && address < (nint)_memory + (nint)SizeInBytes;

    /// <summary>The reference count of a frame (0 when free).</summary>
    public int GetRefCount(int index) => _refCounts[index];

    /// <summary>
    /// From now on every rent, reference and release takes a lock, so threads other than the owner may rent
    /// (a development device delivering across threads). Call before the pool is shared.
    /// </summary>
    internal void MakeThreadSafe() => _sync ??= new object();

    internal void AddRef(int index)
    {
        if (_sync is null) AddRefCore(index);
        else lock (_sync) AddRefCore(index);
    }

    internal void Release(int index)
    {
        if (_sync is null) ReleaseCore(index);
        else lock (_sync) ReleaseCore(index);
    }

    private void AddRefCore(int index)
    {
        if (_refCounts[index] == 0) throw new InvalidOperationException($"Frame {index} is not rented.");
        _refCounts[index]++;
    }

    private void ReleaseCore(int index)
    {
        ushort count = _refCounts[index];
        if (count == 0) throw new InvalidOperationException($"Frame {index} was released more often than it was taken.");
        _refCounts[index] = --count;
        if (count == 0) _free[_freeCount++] = index;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_memory != null)
        {
            if (_releaseExternalMemory is null) NativeMemory.AlignedFree(_memory);
            else _releaseExternalMemory();
            _memory = null;
        }
    }
}

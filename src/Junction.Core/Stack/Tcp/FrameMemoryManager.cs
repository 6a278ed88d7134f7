using System.Buffers;
using Junction.Devices;

namespace Junction.Stack.Tcp;

/// <summary>
/// Exposes one frame of a <see cref="FramePool"/> as <see cref="Memory{T}"/> without copying, so received payload
/// can be handed out as a <see cref="ReadOnlySequence{T}"/>, and room in a frame can be handed to a writer to send from.
/// Instances are reused: <see cref="Reset"/> points one at another frame, which invalidates any memory obtained from
/// it before.
/// </summary>
internal sealed unsafe class FrameMemoryManager : MemoryManager<byte>
{
    private FramePool? _pool;
    private int _index;

    /// <summary>Points this manager at frame <paramref name="index"/> of <paramref name="pool"/>.</summary>
    public void Reset(FramePool pool, int index)
    {
        _pool = pool;
        _index = index;
    }

    /// <summary>Bytes [<paramref name="offset"/>, offset+<paramref name="length"/>) of the frame.</summary>
    public ReadOnlyMemory<byte> Slice(int offset, int length) => CreateMemory(offset, length);

    /// <summary>Bytes [<paramref name="offset"/>, offset+<paramref name="length"/>) of the frame, writable (a writer's frame).</summary>
    public Memory<byte> Window(int offset, int length) => CreateMemory(offset, length);

    /// <inheritdoc/>
    public override Span<byte> GetSpan() => _pool is null ? default : _pool.GetFrameSpan(_index);

    /// <inheritdoc/>
    /// <remarks>Pool memory is native and never moves, so pinning is just taking its address.</remarks>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if (_pool is null) throw new InvalidOperationException("The manager does not point at a frame.");
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _pool.FrameSize);
        byte* frame = (byte*)_pool.BaseAddress + (nint)_index * _pool.FrameSize;
        return new MemoryHandle(frame + elementIndex);
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) => _pool = null;
}

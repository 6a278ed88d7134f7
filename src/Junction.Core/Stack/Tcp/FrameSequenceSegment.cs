using System.Buffers;

namespace Junction.Stack.Tcp;

/// <summary>A reusable link of a <see cref="ReadOnlySequence{T}"/> over received frames.</summary>
internal sealed class FrameSequenceSegment : ReadOnlySequenceSegment<byte>
{
    /// <summary>Points this link at <paramref name="memory"/>, which starts <paramref name="runningIndex"/> bytes into the sequence.</summary>
    public void Reset(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
        Next = null;
    }

    /// <summary>Links <paramref name="next"/> after this one.</summary>
    public void SetNext(FrameSequenceSegment? next) => Next = next;
}

using System.Runtime.InteropServices;

namespace Junction.Tests.Verbs;

/// <summary>Zeroed, page-aligned native memory standing in for a ring, doorbell record or UAR page the NIC would share.</summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    public NativeBuffer(int size)
    {
        Size = size;
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)size, 4096);
        NativeMemory.Clear(Pointer, (nuint)size);
    }

    public byte* Pointer { get; private set; }

    public int Size { get; }

    public Span<byte> Span => new(Pointer, Size);

    public void Dispose()
    {
        if (Pointer != null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}

using System.Buffers.Binary;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// Initial sequence numbers as RFC 6528 asks: ISN = M + F(4-tuple, secret), where M is a clock ticking every
/// 4 microseconds and F is a keyed hash. Each connection gets its own unguessable offset, and successive
/// incarnations of the same 4-tuple still move forward with time, which keeps old duplicates out.
/// </summary>
internal sealed class IsnGenerator
{
    private const byte IsnDomain = 0x49;

    private readonly ulong _k0;
    private readonly ulong _k1;

    /// <summary>Creates a generator keyed with a 16-byte secret (random per stack).</summary>
    public IsnGenerator(ReadOnlySpan<byte> key16)
    {
        if (key16.Length != 16) throw new ArgumentException("The ISN secret must be 16 bytes.", nameof(key16));
        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key16);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key16[8..]);
    }

    /// <summary>The ISN for a new connection on <paramref name="tuple"/> at <paramref name="now"/>.</summary>
    public TcpSeq Next(in FourTuple tuple, Instant now)
    {
        uint offset = (uint)SipHash.HashTuple(_k0, _k1, tuple, 0, IsnDomain);
        uint clock = unchecked((uint)(now.Microseconds / 4));
        return new TcpSeq(unchecked(clock + offset));
    }
}

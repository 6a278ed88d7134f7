using System.Buffers.Binary;
using System.Numerics;

namespace Junction.Stack.Tcp;

/// <summary>
/// SipHash-2-4 (Aumasson and Bernstein): a keyed 64-bit pseudorandom function, short-input fast, used where an
/// off-path attacker must not predict a value (initial sequence numbers, SYN cookies).
/// </summary>
internal static class SipHash
{
    /// <summary>The hash of <paramref name="data"/> under a 16-byte key.</summary>
    public static ulong Hash(ReadOnlySpan<byte> key16, ReadOnlySpan<byte> data)
    {
        if (key16.Length != 16) throw new ArgumentException("SipHash needs a 16-byte key.", nameof(key16));
        return Hash(BinaryPrimitives.ReadUInt64LittleEndian(key16), BinaryPrimitives.ReadUInt64LittleEndian(key16[8..]), data);
    }

    /// <summary>
    /// The hash of a connection's addresses and ports (local address, remote address, local port, remote port,
    /// in network order) followed by <paramref name="extra"/> and <paramref name="domain"/>, which keep the
    /// different uses of one key apart.
    /// </summary>
    public static ulong HashTuple(ulong k0, ulong k1, in FourTuple tuple, uint extra, byte domain)
    {
        Span<byte> input = stackalloc byte[17];
        tuple.LocalAddress.Write(input);
        tuple.RemoteAddress.Write(input[4..]);
        BinaryPrimitives.WriteUInt16BigEndian(input[8..], tuple.LocalPort);
        BinaryPrimitives.WriteUInt16BigEndian(input[10..], tuple.RemotePort);
        BinaryPrimitives.WriteUInt32BigEndian(input[12..], extra);
        input[16] = domain;
        return Hash(k0, k1, input);
    }

    /// <summary>The hash of <paramref name="data"/> under a key given as its two little-endian halves.</summary>
    public static ulong Hash(ulong k0, ulong k1, ReadOnlySpan<byte> data)
    {
        ulong v0 = k0 ^ 0x736f6d6570736575UL;
        ulong v1 = k1 ^ 0x646f72616e646f6dUL;
        ulong v2 = k0 ^ 0x6c7967656e657261UL;
        ulong v3 = k1 ^ 0x7465646279746573UL;

        int whole = data.Length & ~7;
        for (int i = 0; i < whole; i += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        // The last block: the remaining bytes, little-endian, with the length's low byte on top.
        ulong last = (ulong)data.Length << 56;
        ReadOnlySpan<byte> tail = data[whole..];
        for (int i = 0; i < tail.Length; i++) last |= (ulong)tail[i] << (8 * i);
        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xff;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}

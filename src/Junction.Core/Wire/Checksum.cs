using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Junction.Wire;

/// <summary>
/// The Internet checksum (RFC 1071): the ones'-complement sum of big-endian 16-bit words, complemented.
/// </summary>
/// <remarks>
/// The bulk of the data is summed as native-order 32-bit words into 64-bit lanes. That is sound because
/// 2^16 ≡ 1 (mod 2^16 - 1): a 32-bit word counts as the sum of its two 16-bit halves, and on a
/// little-endian host the native-order sum is the byte-swapped big-endian sum (RFC 1071 section 2(B)),
/// so one swap at the end fixes it. Lanes cannot overflow for any span .NET can address.
/// </remarks>
internal static class Checksum
{
    /// <summary>
    /// Adds the big-endian 16-bit words of <paramref name="data"/> to the partial sum <paramref name="sum"/>.
    /// An odd final byte is padded with a zero byte, so only the last span of a chain may have odd length.
    /// </summary>
    /// <returns>A partial sum (not folded to 16 bits) to pass on or to <see cref="Finish"/>.</returns>
    public static uint Accumulate(ReadOnlySpan<byte> data, uint sum = 0)
    {
        ulong native = SumNativeWords(data);

        // Fold to 16 bits; the fold keeps the value in 1..0xFFFF unless every word was zero.
        native = (native & 0xFFFF_FFFF) + (native >> 32);
        native = (native & 0xFFFF_FFFF) + (native >> 32);
        native = (native & 0xFFFF) + (native >> 16);
        native = (native & 0xFFFF) + (native >> 16);
        native = (native & 0xFFFF) + (native >> 16);
        uint part = (uint)native;
        if (BitConverter.IsLittleEndian) part = BinaryPrimitives.ReverseEndianness((ushort)part);

        // End-around carry keeps long chains from overflowing the 32-bit partial sum.
        ulong total = (ulong)sum + part;
        return (uint)((total & 0xFFFF_FFFF) + (total >> 32));
    }

    /// <summary>Folds the carries of a partial sum and complements it: the value to store big-endian.</summary>
    public static ushort Finish(uint sum)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>The partial sum of the IPv4 pseudo-header that TCP and UDP checksums cover (RFC 9293 3.1, RFC 768).</summary>
    public static uint PseudoHeader(Ipv4Address source, Ipv4Address destination, byte protocol, int length) =>
        (source.Value >> 16) + (source.Value & 0xFFFF) +
        (destination.Value >> 16) + (destination.Value & 0xFFFF) +
        protocol + (uint)(ushort)length;

    /// <summary>The checksum of one buffer: <c>Finish(Accumulate(data))</c>.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Accumulate(data));

    /// <summary>Sums the data as native-order 32-bit words (odd tails as native 16-bit words) into 64 bits.</summary>
    private static ulong SumNativeWords(ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint offset = 0;
        ulong sum = 0;

        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<byte>.Count)
        {
            Vector256<ulong> low = Vector256<ulong>.Zero, high = Vector256<ulong>.Zero;
            Vector256<ulong> mask = Vector256.Create(0xFFFF_FFFFUL);
            nuint step = (nuint)Vector256<byte>.Count;
            while (offset + 4 * step <= length)
            {
                Vector256<ulong> a = Vector256.LoadUnsafe(ref start, offset).AsUInt64();
                Vector256<ulong> b = Vector256.LoadUnsafe(ref start, offset + step).AsUInt64();
                Vector256<ulong> c = Vector256.LoadUnsafe(ref start, offset + 2 * step).AsUInt64();
                Vector256<ulong> d = Vector256.LoadUnsafe(ref start, offset + 3 * step).AsUInt64();
                low += (a & mask) + (b & mask) + (c & mask) + (d & mask);
                high += (a >>> 32) + (b >>> 32) + (c >>> 32) + (d >>> 32);
                offset += 4 * step;
            }
            while (offset + step <= length)
            {
                Vector256<ulong> a = Vector256.LoadUnsafe(ref start, offset).AsUInt64();
                low += a & mask;
                high += a >>> 32;
                offset += step;
            }
            sum += Vector256.Sum(low) + Vector256.Sum(high);
        }

        if (Vector128.IsHardwareAccelerated && length - offset >= (nuint)Vector128<byte>.Count)
        {
            Vector128<ulong> low = Vector128<ulong>.Zero, high = Vector128<ulong>.Zero;
            Vector128<ulong> mask = Vector128.Create(0xFFFF_FFFFUL);
            nuint step = (nuint)Vector128<byte>.Count;
            while (offset + step <= length)
            {
                Vector128<ulong> a = Vector128.LoadUnsafe(ref start, offset).AsUInt64();
                low += a & mask;
                high += a >>> 32;
                offset += step;
            }
            sum += Vector128.Sum(low) + Vector128.Sum(high);
        }

        while (offset + 8 <= length)
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, offset));
            sum += (word & 0xFFFF_FFFF) + (word >> 32);
            offset += 8;
        }
        if (offset + 4 <= length)
        {
            sum += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, offset));
            offset += 4;
        }
        if (offset + 2 <= length)
        {
            sum += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, offset));
            offset += 2;
        }
        if (offset < length)
        {
            // The missing byte is zero: big-endian the lone byte is the high half of its word.
            byte last = Unsafe.Add(ref start, offset);
            sum += BitConverter.IsLittleEndian ? last : (ulong)last << 8;
        }
        return sum;
    }
}

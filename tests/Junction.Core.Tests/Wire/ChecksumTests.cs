using System.Buffers.Binary;
using Junction.Wire;

namespace Junction.Tests.Wire;

public class ChecksumTests
{
    /// <summary>RFC 1071 done the obvious way: big-endian words, odd byte padded, carries folded at the end.</summary>
    private static uint ReferenceSum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        for (int i = 0; i < data.Length; i += 2)
            sum += (uint)(data[i] << 8 | (i + 1 < data.Length ? data[i + 1] : 0));
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (uint)sum;
    }

    private static ushort Reference(ReadOnlySpan<byte> data) => (ushort)~ReferenceSum(data);

    [Fact]
    public void Matches_scalar_reference_for_every_length_to_2000_at_even_and_odd_offsets()
    {
        var random = new Random(1071);
        byte[] buffer = new byte[2000 + 8];
        random.NextBytes(buffer);
        for (int offset = 0; offset < 4; offset++)
        {
            for (int length = 0; length <= 2000; length++)
            {
                ReadOnlySpan<byte> data = buffer.AsSpan(offset, length);
                Assert.Equal(Reference(data), Checksum.Compute(data));
            }
        }
    }

    [Fact]
    public void Matches_reference_when_every_byte_is_ff_so_every_add_carries()
    {
        byte[] data = new byte[65535];
        data.AsSpan().Fill(0xFF);
        foreach (int length in new[] { 1, 2, 31, 32, 33, 127, 128, 129, 1500, 9000, 65535 })
            Assert.Equal(Reference(data.AsSpan(0, length)), Checksum.Compute(data.AsSpan(0, length)));
    }

    [Fact]
    public void All_zero_data_has_checksum_ffff()
    {
        Assert.Equal(0xFFFF, Checksum.Compute(new byte[100]));
        Assert.Equal(0xFFFF, Checksum.Compute([]));
    }

    [Fact]
    public void Chained_even_spans_with_odd_last_span_equal_one_pass()
    {
        var random = new Random(7);
        byte[] data = new byte[1501];
        random.NextBytes(data);
        for (int trial = 0; trial < 200; trial++)
        {
            int first = random.Next(0, 700) & ~1;
            int second = random.Next(0, 700) & ~1;
            uint sum = Checksum.Accumulate(data.AsSpan(0, first));
            sum = Checksum.Accumulate(data.AsSpan(first, second), sum);
            sum = Checksum.Accumulate(data.AsSpan(first + second), sum);
            Assert.Equal(Checksum.Compute(data), Checksum.Finish(sum));
        }
    }

    [Fact]
    public void Accumulating_onto_a_large_partial_sum_carries_around_instead_of_overflowing()
    {
        byte[] data = new byte[64];
        new Random(3).NextBytes(data);
        foreach (uint start in new[] { uint.MaxValue, 0xFFFF_0000u, 0x8000_0001u })
        {
            ulong expected = (ulong)start + ReferenceSum(data);
            while (expected > 0xFFFF) expected = (expected & 0xFFFF) + (expected >> 16);
            Assert.Equal((ushort)~expected, Checksum.Finish(Checksum.Accumulate(data, start)));
        }
    }

    [Fact]
    public void Computes_the_textbook_ipv4_header_checksum()
    {
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");
        Assert.Equal(0xB861, Checksum.Compute(header));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), 0xB861);
        Assert.Equal(0, Checksum.Compute(header));
    }

    [Fact]
    public void Pseudo_header_sums_addresses_protocol_and_length_as_big_endian_words()
    {
        var source = new Ipv4Address(192, 168, 0, 1);
        var destination = new Ipv4Address(10, 0, 0, 2);
        byte[] pseudo = Convert.FromHexString("c0a800010a000002000605dc");
        Assert.Equal(ReferenceSum(pseudo), Checksum.Finish(Checksum.PseudoHeader(source, destination, IpProtocol.Tcp, 1500)) ^ 0xFFFFu);
    }

    [Fact]
    public void Stored_checksum_makes_the_data_verify_and_any_single_bit_flip_fails()
    {
        byte[] data = new byte[101];
        new Random(11).NextBytes(data);
        data[10] = 0;
        data[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(10), Checksum.Compute(data));
        Assert.Equal(0, Checksum.Compute(data));
        for (int bit = 0; bit < data.Length * 8; bit++)
        {
            data[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(0, Checksum.Compute(data));
            data[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }
}

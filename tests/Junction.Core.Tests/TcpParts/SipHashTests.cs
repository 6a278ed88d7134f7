using Junction.Stack.Tcp;

namespace Junction.Tests.TcpParts;

public class SipHashTests
{
    // Reference SipHash-2-4 outputs (vectors.h of the reference implementation): key 00..0f, message
    // 00..(n-1), the 8 output bytes read little-endian.
    private static readonly ulong[] s_reference =
    [
        0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a, 0x85676696d7fb7e2d,
        0xcf2794e0277187b7, 0x18765564cd99a68d, 0xcbc9466e58fee3ce, 0xab0200f58b01d137,
        0x93f5f5799a932462, 0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
        0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee, 0xa129ca6149be45e5,
        0x3f2acc7f57c29bdb,
    ];

    [Fact]
    public void Matches_the_reference_test_vectors()
    {
        byte[] key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        byte[] message = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        for (int n = 0; n < s_reference.Length; n++)
            Assert.True(s_reference[n] == SipHash.Hash(key, message.AsSpan(0, n)), $"length {n}");
    }

    [Fact]
    public void Different_keys_give_different_hashes()
    {
        byte[] data = "identical message"u8.ToArray();
        Assert.NotEqual(SipHash.Hash(new byte[16], data), SipHash.Hash(Enumerable.Repeat((byte)1, 16).ToArray(), data));
    }

    [Fact]
    public void Rejects_a_key_that_is_not_16_bytes()
    {
        Assert.Throws<ArgumentException>(() => SipHash.Hash(new byte[15], []));
    }

    [Fact]
    public void Hashing_does_not_allocate()
    {
        byte[] key = new byte[16];
        byte[] data = new byte[40];
        SipHash.Hash(key, data);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ulong sum = 0;
        for (int i = 0; i < 1000; i++) sum += SipHash.Hash(key, data.AsSpan(0, i % 40));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0UL, sum);
    }
}

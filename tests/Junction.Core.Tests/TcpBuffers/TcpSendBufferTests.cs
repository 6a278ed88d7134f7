using Junction.Stack.Tcp;

namespace Junction.Tests.TcpBuffers;

public class TcpSendBufferTests
{
    private static byte[] Pattern(int start, int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)((start + i) * 7 + 3);
        return bytes;
    }

    private static byte[] PeekAll(TcpSendBuffer buffer, int offset, int length)
    {
        buffer.Peek(offset, length, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second);
        return [.. first, .. second];
    }

    [Fact]
    public void Holds_no_storage_until_the_first_write()
    {
        using var buffer = new TcpSendBuffer(65536);
        Assert.Equal(0, buffer.StorageLength);
        Assert.Equal(0, buffer.Count);
        Assert.Equal(65536, buffer.Free);

        buffer.Write(Pattern(0, 10));
        Assert.True(buffer.StorageLength > 0);
    }

    [Fact]
    public void Returns_storage_when_everything_is_acknowledged()
    {
        using var buffer = new TcpSendBuffer(65536);
        buffer.Write(Pattern(0, 1000));
        buffer.Consume(400);
        Assert.True(buffer.StorageLength > 0);
        buffer.Consume(600);
        Assert.Equal(0, buffer.Count);
        Assert.Equal(0, buffer.StorageLength);

        // And it can be used again afterwards.
        Assert.Equal(50, buffer.Write(Pattern(1000, 50)));
        Assert.Equal(Pattern(1000, 50), PeekAll(buffer, 0, 50));
    }

    [Fact]
    public void Dispose_returns_storage_and_empties_the_buffer()
    {
        var buffer = new TcpSendBuffer(8192);
        buffer.Write(Pattern(0, 100));
        buffer.Dispose();
        Assert.Equal(0, buffer.StorageLength);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void Write_takes_only_what_fits_the_capacity()
    {
        using var buffer = new TcpSendBuffer(1000);
        Assert.Equal(600, buffer.Write(Pattern(0, 600)));
        Assert.Equal(400, buffer.Write(Pattern(600, 600)));
        Assert.Equal(0, buffer.Write(Pattern(1000, 1)));
        Assert.Equal(1000, buffer.Count);
        Assert.Equal(0, buffer.Free);
        Assert.Equal(Pattern(0, 1000), PeekAll(buffer, 0, 1000));
    }

    [Fact]
    public void Peek_across_the_wrap_returns_two_spans()
    {
        using var buffer = new TcpSendBuffer(TcpSendBuffer.MinimumStorage);
        buffer.Write(Pattern(0, 3000));
        buffer.Consume(2500);
        buffer.Write(Pattern(3000, 3000));
        Assert.Equal(TcpSendBuffer.MinimumStorage, buffer.StorageLength);

        buffer.Peek(0, 3500, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second);
        Assert.Equal(TcpSendBuffer.MinimumStorage - 2500, first.Length);
        Assert.Equal(3500 - first.Length, second.Length);
        Assert.Equal(Pattern(2500, 3500), (byte[])[.. first, .. second]);
    }

    [Fact]
    public void Peek_inside_one_part_of_the_ring_returns_an_empty_second_span()
    {
        using var buffer = new TcpSendBuffer(10000);
        buffer.Write(Pattern(0, 2000));
        buffer.Peek(100, 500, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second);
        Assert.Equal(Pattern(100, 500), first.ToArray());
        Assert.True(second.IsEmpty);

        buffer.Peek(2000, 0, out first, out second);
        Assert.True(first.IsEmpty && second.IsEmpty);
    }

    [Fact]
    public void Growing_keeps_wrapped_content_in_order()
    {
        using var buffer = new TcpSendBuffer(1 << 20);
        buffer.Write(Pattern(0, 3000));
        buffer.Consume(2000);
        buffer.Write(Pattern(3000, 3000)); // wraps in the first 4 KiB array
        buffer.Write(Pattern(6000, 20000)); // forces growth
        Assert.True(buffer.StorageLength >= 24000);
        Assert.Equal(24000, buffer.Count);
        Assert.Equal(Pattern(2000, 24000), PeekAll(buffer, 0, 24000));
    }

    [Fact]
    public void CopyTo_copies_a_range_across_the_wrap()
    {
        using var buffer = new TcpSendBuffer(TcpSendBuffer.MinimumStorage);
        buffer.Write(Pattern(0, 4000));
        buffer.Consume(3900);
        buffer.Write(Pattern(4000, 1000));
        var destination = new byte[600];
        buffer.CopyTo(50, destination);
        Assert.Equal(Pattern(3950, 600), destination);
    }

    [Fact]
    public void Lowering_capacity_below_count_keeps_bytes_and_takes_no_more_until_acknowledged()
    {
        using var buffer = new TcpSendBuffer(5000);
        buffer.Write(Pattern(0, 4000));
        buffer.Capacity = 1000;
        Assert.Equal(4000, buffer.Count);
        Assert.Equal(0, buffer.Free);
        Assert.Equal(0, buffer.Write(Pattern(4000, 10)));

        buffer.Consume(3500);
        Assert.Equal(500, buffer.Free);
        Assert.Equal(500, buffer.Write(Pattern(4000, 800)));
        Assert.Equal(Pattern(3500, 1000), PeekAll(buffer, 0, 1000));

        buffer.Capacity = 3000;
        Assert.Equal(2000, buffer.Free);
    }

    [Fact]
    public void Misuse_of_ranges_throws()
    {
        using var buffer = new TcpSendBuffer(1000);
        buffer.Write(Pattern(0, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Peek(50, 51, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Peek(-1, 10, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Consume(101));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Consume(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Capacity = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpSendBuffer(TcpSendBuffer.MaxCapacity + 1));
        Assert.Equal(100, buffer.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_writes_peeks_and_consumes_match_a_reference_queue(int seed)
    {
        var random = new Random(seed);
        using var buffer = new TcpSendBuffer(30000);
        long written = 0;
        long consumed = 0;
        for (int step = 0; step < 2000; step++)
        {
            switch (random.Next(3))
            {
                case 0:
                    int length = random.Next(0, 5000);
                    int taken = buffer.Write(Pattern((int)written, length));
                    Assert.Equal(Math.Min(length, 30000 - (int)(written - consumed)), taken);
                    written += taken;
                    break;
                case 1:
                    int count = random.Next(0, buffer.Count + 1);
                    buffer.Consume(count);
                    consumed += count;
                    break;
                default:
                    if (buffer.Count == 0) break;
                    int offset = random.Next(0, buffer.Count);
                    int peekLength = random.Next(0, buffer.Count - offset + 1);
                    Assert.Equal(Pattern((int)(consumed + offset), peekLength), PeekAll(buffer, offset, peekLength));
                    break;
            }
            Assert.Equal(written - consumed, buffer.Count);
            Assert.Equal(buffer.Count == 0, buffer.StorageLength == 0);
        }
    }
}

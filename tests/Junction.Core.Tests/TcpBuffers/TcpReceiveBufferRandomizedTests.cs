using System.Buffers;
using Junction.Devices;
using Junction.Stack.Tcp;
using Junction.Wire;
using static Junction.Tests.TcpBuffers.ReceiveTestKit;

namespace Junction.Tests.TcpBuffers;

public class TcpReceiveBufferRandomizedTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Shuffled_duplicated_resegmented_stream_reads_back_identical(int seed)
    {
        var random = new Random(seed);
        const int streamLength = 100_000;
        using var pool = new FramePool(4096);
        using var buffer = new TcpReceiveBuffer(streamLength);

        // Cut the stream into random segments, twice over with different cuts (overlapping retransmissions),
        // add some exact duplicates, and deliver all of them in random order.
        var segments = new List<(int Start, int Length)>();
        for (int pass = 0; pass < 2; pass++)
        {
            int position = random.Next(0, 500) * pass;
            while (position < streamLength)
            {
                int length = Math.Min(streamLength - position, random.Next(1, 1461));
                segments.Add((position, length));
                position += length;
            }
        }
        int originals = segments.Count;
        for (int i = 0; i < originals / 5; i++) segments.Add(segments[random.Next(originals)]);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(segments));

        long rcvNxt = 0;
        foreach ((int start, int length) in segments)
        {
            rcvNxt += Deliver(buffer, pool, rcvNxt, start, length);
            Assert.Equal(rcvNxt, buffer.Available);
            Assert.Equal(InUse(pool), buffer.HeldSegments);
        }
        Assert.Equal(streamLength, rcvNxt);
        Assert.Equal(0, buffer.OutOfOrderBytes);
        Assert.Equal(Stream(0, streamLength), ReadAll(buffer));
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    public void Sender_and_reader_at_random_keep_every_invariant_and_the_bytes_intact(int seed)
    {
        var random = new Random(seed);
        const int capacity = 32 * 1024;
        const long streamLength = 400_000;
        using var pool = new FramePool(4096);
        var buffer = new TcpReceiveBuffer(capacity);
        var isn = new TcpSeq((uint)random.NextInt64(0, uint.MaxValue + 1L));

        long rcvNxt = 0; // stream position of RCV.NXT
        long readPosition = 0;
        var scratch = new byte[8192];
        Span<SackBlock> blocks = stackalloc SackBlock[64];
        int steps = 0;
        while (readPosition < streamLength)
        {
            Assert.True(++steps < 200_000, "no progress");
            int action = random.Next(10);
            if (action < 6)
            {
                // A segment somewhere around the window: old data, in order, or beyond a gap; sometimes tiny.
                long start = action == 0 ? rcvNxt : rcvNxt + random.Next(-3000, buffer.Window + 2000);
                start = Math.Max(0, start);
                int length = random.Next(4) == 0 ? random.Next(1, 40) : random.Next(1, 1461);
                length = (int)Math.Min(length, streamLength - start);
                if (length <= 0) continue;
                int windowBefore = buffer.Window;
                int advanced = Deliver(buffer, pool, rcvNxt, start, length);
                Assert.InRange(advanced, 0, windowBefore);
                rcvNxt += advanced;
            }
            else if (action < 9)
            {
                int n = buffer.Read(scratch.AsSpan(0, random.Next(1, scratch.Length)));
                Assert.Equal(Stream(readPosition, n), scratch.AsSpan(0, n).ToArray());
                readPosition += n;
            }
            else
            {
                Assert.Equal(Stream(readPosition, buffer.Available), buffer.PeekSequence().ToArray());
            }

            Assert.Equal(rcvNxt - readPosition, buffer.Available);
            Assert.True(buffer.Available + buffer.OutOfOrderBytes <= capacity);
            Assert.True(buffer.HeldSegments <= buffer.MaxHeldSegments);
            Assert.Equal(InUse(pool), buffer.HeldSegments);

            // SACK blocks: disjoint, above RCV.NXT, inside the window, covering exactly the out-of-order bytes.
            TcpSeq seqNxt = isn + (int)rcvNxt;
            int count = buffer.GetSackBlocks(seqNxt, blocks);
            long covered = 0;
            for (int k = 0; k < count; k++)
            {
                Assert.True(blocks[k].Left > seqNxt);
                Assert.True(blocks[k].Right > blocks[k].Left);
                Assert.True(blocks[k].Right - seqNxt <= capacity);
                for (int m = 0; m < k; m++)
                {
                    Assert.True(blocks[k].Right < blocks[m].Left || blocks[m].Right < blocks[k].Left, "blocks overlap or touch");
                }
                covered += blocks[k].Right - blocks[k].Left;
            }
            Assert.Equal(buffer.OutOfOrderBytes, covered);
        }

        buffer.Dispose();
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }
}

using Junction.Devices;
using Junction.Stack.Tcp;

namespace Junction.Tests.TcpBuffers;

public sealed class TcpSendBufferTests : IDisposable
{
    private const int HeaderRoom = TcpSendBuffer.HeaderRoom;
    private readonly FramePool _pool = new(256);

    /// <summary>Every test ends with every frame back in the pool.</summary>
    public void Dispose()
    {
        Assert.Equal(_pool.FrameCount, _pool.FreeCount);
        _pool.Dispose();
    }

    private int PayloadPerFrame => _pool.FrameSize - HeaderRoom;

    private static byte[] Pattern(int start, int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)((start + i) * 7 + 3);
        return bytes;
    }

    private static byte[] Read(TcpSendBuffer buffer, int offset, int length)
    {
        var bytes = new byte[length];
        buffer.CopyTo(offset, bytes);
        return bytes;
    }

    /// <summary>A frame a writer filled with <paramref name="length"/> pattern bytes after the header room; the caller holds its reference.</summary>
    private Frame WriterFrame(int patternStart, int length)
    {
        Assert.True(_pool.TryRent(out Frame frame));
        Pattern(patternStart, length).CopyTo(frame.Span[HeaderRoom..]);
        return frame;
    }

    [Fact]
    public void Holds_no_frame_until_the_first_write_and_gives_them_back_once_everything_is_acknowledged()
    {
        using var buffer = new TcpSendBuffer(_pool, 65536);
        Assert.Equal(0, buffer.FrameCount);
        Assert.Equal(_pool.FrameCount, _pool.FreeCount);
        Assert.Equal(65536, buffer.Free);

        Assert.Equal(1000, buffer.Write(Pattern(0, 1000)));
        Assert.Equal(1, buffer.FrameCount);
        Assert.Equal(_pool.FrameCount - 1, _pool.FreeCount);

        buffer.Consume(400);
        Assert.Equal(1, buffer.FrameCount);
        buffer.Consume(600);
        Assert.Equal(0, buffer.Count);
        Assert.Equal(0, buffer.FrameCount);
        Assert.Equal(_pool.FrameCount, _pool.FreeCount);

        // And it can be used again afterwards.
        Assert.Equal(50, buffer.Write(Pattern(1000, 50)));
        Assert.Equal(Pattern(1000, 50), Read(buffer, 0, 50));
    }

    [Fact]
    public void Dispose_gives_every_frame_back_and_empties_the_buffer()
    {
        var buffer = new TcpSendBuffer(_pool, 65536);
        buffer.Write(Pattern(0, 5000));
        Frame writer = WriterFrame(5000, 300);
        buffer.AppendFrame(writer.Index, HeaderRoom, HeaderRoom + 300, open: true);
        buffer.Dispose();
        Assert.Equal(0, buffer.Count);
        Assert.Equal(0, buffer.FrameCount);
        Assert.Equal(1, _pool.GetRefCount(writer.Index)); // the writer's own reference
        writer.Release();
    }

    [Fact]
    public void Write_copies_into_frames_after_the_header_room_and_fills_each_up()
    {
        using var buffer = new TcpSendBuffer(_pool, 65536);
        Assert.Equal(5000, buffer.Write(Pattern(0, 3000)) + buffer.Write(Pattern(3000, 2000)));
        Assert.Equal((5000 + PayloadPerFrame - 1) / PayloadPerFrame, buffer.FrameCount);
        Assert.True(buffer.TryGetFrameInPlace(0, 100, HeaderRoom, out Frame first));
        Assert.Equal(HeaderRoom, first.Offset);
        Assert.Equal(Pattern(0, 100), first.Span.ToArray());
        Assert.Equal(Pattern(0, 5000), Read(buffer, 0, 5000));
    }

    [Fact]
    public void Write_takes_only_what_fits_the_capacity()
    {
        using var buffer = new TcpSendBuffer(_pool, 1000);
        Assert.Equal(600, buffer.Write(Pattern(0, 600)));
        Assert.Equal(400, buffer.Write(Pattern(600, 600)));
        Assert.Equal(0, buffer.Write(Pattern(1000, 1)));
        Assert.Equal(1000, buffer.Count);
        Assert.Equal(0, buffer.Free);
        Assert.Equal(Pattern(0, 1000), Read(buffer, 0, 1000));
    }

    [Fact]
    public void Write_leaves_the_pool_its_last_frames_for_acknowledgements()
    {
        using var small = new FramePool(32);
        using var buffer = new TcpSendBuffer(small, 1 << 20);
        int taken = buffer.Write(new byte[1 << 20]);
        int reserve = TcpSendBuffer.PoolReserve(small);
        Assert.Equal(small.FrameCount / 16, reserve);
        Assert.Equal(reserve, small.FreeCount);
        Assert.Equal((small.FrameCount - reserve) * (small.FrameSize - HeaderRoom), taken);
        buffer.Dispose();
        Assert.Equal(small.FrameCount, small.FreeCount);
    }

    [Fact]
    public void Writable_is_exactly_what_write_takes_when_the_pool_runs_short()
    {
        using var pool = new FramePool(64);
        using var buffer = new TcpSendBuffer(pool, 1 << 20);
        int writable = buffer.Writable;
        Assert.True(writable < buffer.Free); // the pool, not the capacity, limits it
        Assert.Equal(writable, buffer.Write(new byte[1 << 20]));
        Assert.Equal(0, buffer.Writable);
        buffer.Dispose();
    }

    [Fact]
    public void CopyTo_gathers_a_range_across_frames()
    {
        using var buffer = new TcpSendBuffer(_pool, 65536);
        buffer.Write(Pattern(0, 4000));
        buffer.Consume(1500);
        buffer.Write(Pattern(4000, 3000));
        Assert.Equal(Pattern(1550, 3000), Read(buffer, 50, 3000));
    }

    [Fact]
    public void A_partial_ack_moves_the_start_inside_the_head_frame_and_keeps_the_frame()
    {
        using var buffer = new TcpSendBuffer(_pool, 65536);
        buffer.Write(Pattern(0, 1500));
        Assert.True(buffer.TryGetFrameInPlace(0, 1500, HeaderRoom, out Frame before));

        buffer.Consume(1000);
        Assert.Equal(1, buffer.FrameCount);
        Assert.True(buffer.TryGetFrameInPlace(0, 500, HeaderRoom, out Frame after));
        Assert.Equal(before.Index, after.Index);
        Assert.Equal(HeaderRoom + 1000, after.Offset);
        Assert.Equal(Pattern(1000, 500), after.Span.ToArray());
        Assert.Equal(1, _pool.GetRefCount(after.Index));
    }

    [Fact]
    public void Lowering_capacity_below_count_keeps_bytes_and_takes_no_more_until_acknowledged()
    {
        using var buffer = new TcpSendBuffer(_pool, 5000);
        buffer.Write(Pattern(0, 4000));
        buffer.Capacity = 1000;
        Assert.Equal(4000, buffer.Count);
        Assert.Equal(0, buffer.Free);
        Assert.Equal(0, buffer.Write(Pattern(4000, 10)));

        buffer.Consume(3500);
        Assert.Equal(500, buffer.Free);
        Assert.Equal(500, buffer.Write(Pattern(4000, 800)));
        Assert.Equal(Pattern(3500, 1000), Read(buffer, 0, 1000));

        buffer.Capacity = 3000;
        Assert.Equal(2000, buffer.Free);
    }

    [Fact]
    public void Appended_writer_frames_are_referenced_extended_while_open_and_bound_segments()
    {
        using var buffer = new TcpSendBuffer(_pool, 65536);
        Frame a = WriterFrame(0, 1000);
        buffer.AppendFrame(a.Index, HeaderRoom, HeaderRoom + 600, open: true);
        Assert.Equal(2, _pool.GetRefCount(a.Index));
        buffer.AppendFrame(a.Index, HeaderRoom + 600, HeaderRoom + 1000, open: false);
        Assert.Equal(1, buffer.FrameCount);
        Assert.Equal(2, _pool.GetRefCount(a.Index));
        Frame b = WriterFrame(1000, 800);
        buffer.AppendFrame(b.Index, HeaderRoom, HeaderRoom + 800, open: true);
        a.Release();
        Assert.Equal(1800, buffer.Count);
        Assert.Equal(Pattern(0, 1800), Read(buffer, 0, 1800));

        // A segment stops at the end of a writer's frame, wherever it starts in it.
        Assert.Equal(1000, buffer.SegmentLimit(0, 1460));
        Assert.Equal(400, buffer.SegmentLimit(600, 1460));
        Assert.Equal(800, buffer.SegmentLimit(1000, 1460));
        Assert.Equal(300, buffer.SegmentLimit(1000, 300));

        buffer.Consume(1000);
        Assert.Equal(1, buffer.FrameCount);
        Assert.Equal(0, _pool.GetRefCount(a.Index));
        Assert.Equal(2, _pool.GetRefCount(b.Index));
        buffer.CloseFrame(b.Index);
        b.Release();
    }

    [Fact]
    public void Copied_bytes_do_not_bound_segments()
    {
        using var buffer = new TcpSendBuffer(_pool, 65536);
        buffer.Write(Pattern(0, 5000));
        Assert.Equal(1460, buffer.SegmentLimit(0, 1460));
        Assert.Equal(1460, buffer.SegmentLimit(PayloadPerFrame - 10, 1460));
        Assert.Equal(1000, buffer.SegmentLimit(4000, 1460));
    }

    [Fact]
    public void A_segment_leaves_from_its_frame_only_when_nothing_else_needs_the_frame()
    {
        using var buffer = new TcpSendBuffer(_pool, 65536);
        Frame a = WriterFrame(0, 1000);
        buffer.AppendFrame(a.Index, HeaderRoom, HeaderRoom + 1000, open: true);

        // The writer's reference is expected while the frame is open.
        Assert.True(buffer.TryGetFrameInPlace(0, 600, 94, out Frame payload));
        Assert.Equal(a.Index, payload.Index);
        Assert.Equal(HeaderRoom, payload.Offset);
        Assert.Equal(600, payload.Length);
        // After unacknowledged bytes of its frame, across frames, or with too little room in front: copied.
        Assert.False(buffer.TryGetFrameInPlace(600, 400, 94, out _));
        Assert.False(buffer.TryGetFrameInPlace(0, 600, HeaderRoom + 1, out _));
        // A device still holds the frame (a transmission in flight).
        payload.AddRef();
        Assert.False(buffer.TryGetFrameInPlace(0, 600, 94, out _));
        payload.Release();

        buffer.CloseFrame(a.Index);
        a.Release();
        Assert.True(buffer.TryGetFrameInPlace(0, 1000, 94, out _));
        buffer.Write(Pattern(1000, 100));
        Assert.False(buffer.TryGetFrameInPlace(0, 1100, 94, out _));

        // Acknowledged bytes in front of a segment are room for its headers.
        buffer.Consume(600);
        Assert.True(buffer.TryGetFrameInPlace(0, 400, HeaderRoom + 600, out Frame rest));
        Assert.Equal(HeaderRoom + 600, rest.Offset);
        Assert.Equal(Pattern(600, 400), rest.Span.ToArray());
    }

    [Fact]
    public void A_transmission_from_the_open_frame_seals_it_for_the_writer()
    {
        using var buffer = new TcpSendBuffer(_pool, 65536);
        buffer.Write(Pattern(0, 500));
        Frame a = WriterFrame(500, 300);
        buffer.AppendFrame(a.Index, HeaderRoom, HeaderRoom + 300, open: true);
        buffer.NoteSent(0, 500);
        Assert.False(buffer.IsFrameSealed(a.Index));
        buffer.NoteSent(500, 100);
        Assert.True(buffer.IsFrameSealed(a.Index));
        buffer.CloseFrame(a.Index);
        a.Release();
    }

    [Fact]
    public void Misuse_of_ranges_throws()
    {
        using var buffer = new TcpSendBuffer(_pool, 1000);
        buffer.Write(Pattern(0, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.CopyTo(50, new byte[51]));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.CopyTo(-1, new byte[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Consume(101));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Consume(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Capacity = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.AppendFrame(0, HeaderRoom - 1, HeaderRoom, open: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpSendBuffer(_pool, TcpSendBuffer.MaxCapacity + 1));
        Assert.Equal(100, buffer.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_writes_appends_reads_and_acks_match_a_reference_queue(int seed)
    {
        var random = new Random(seed);
        using var pool = new FramePool(2048);
        using (var buffer = new TcpSendBuffer(pool, 30000))
        {
            long written = 0;
            long consumed = 0;
            for (int step = 0; step < 2000; step++)
            {
                switch (random.Next(4))
                {
                    case 0:
                        int length = random.Next(0, 5000);
                        int taken = buffer.Write(Pattern((int)written, length));
                        Assert.Equal(Math.Min(length, 30000 - (int)(written - consumed)), taken);
                        written += taken;
                        break;
                    case 1:
                        int piece = random.Next(1, 1460);
                        if (buffer.Free < piece) break;
                        Assert.True(pool.TryRent(out Frame frame));
                        Pattern((int)written, piece).CopyTo(frame.Span[HeaderRoom..]);
                        buffer.AppendFrame(frame.Index, HeaderRoom, HeaderRoom + piece, open: false);
                        frame.Release();
                        written += piece;
                        break;
                    case 2:
                        int count = random.Next(0, buffer.Count + 1);
                        buffer.Consume(count);
                        consumed += count;
                        break;
                    default:
                        if (buffer.Count == 0) break;
                        int offset = random.Next(0, buffer.Count);
                        int readLength = random.Next(0, buffer.Count - offset + 1);
                        Assert.Equal(Pattern((int)(consumed + offset), readLength), Read(buffer, offset, readLength));
                        Assert.InRange(buffer.SegmentLimit(offset, 1460), 1, 1460);
                        break;
                }
                Assert.Equal(written - consumed, buffer.Count);
                Assert.Equal(buffer.Count == 0, buffer.FrameCount == 0);
            }
        }
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }
}

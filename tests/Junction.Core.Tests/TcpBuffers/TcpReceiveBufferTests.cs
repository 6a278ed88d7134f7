using System.Buffers;
using Junction.Devices;
using Junction.Stack.Tcp;
using Junction.Wire;
using static Junction.Tests.TcpBuffers.ReceiveTestKit;

namespace Junction.Tests.TcpBuffers;

public sealed class TcpReceiveBufferTests : IDisposable
{
    private readonly FramePool _pool = new(256);

    public void Dispose() => _pool.Dispose();

    private void AssertPoolFull() => Assert.Equal(_pool.FrameCount, _pool.FreeCount);

    [Fact]
    public void In_order_segments_are_readable_and_frames_return_when_read()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Assert.Equal(1000, Deliver(buffer, _pool, 0, 0, 1000));
        Assert.Equal(1000, Deliver(buffer, _pool, 1000, 1000, 1000));
        Assert.Equal(2000, buffer.Available);
        Assert.Equal(0, buffer.OutOfOrderBytes);
        Assert.Equal(2, InUse(_pool));
        Assert.Equal(2, _pool.GetRefCount(0) + _pool.GetRefCount(1)); // one reference each: the buffer's

        Assert.Equal(Stream(0, 2000), ReadAll(buffer));
        Assert.Equal(0, buffer.Available);
        AssertPoolFull();
    }

    [Fact]
    public void Keeps_payload_in_place_without_copying()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Frame frame = Rent(_pool, 0, 1000);
        buffer.Insert(0, frame);
        Assert.Equal(2, _pool.GetRefCount(frame.Index));
        frame.Release();

        ReadOnlySequence<byte> sequence = buffer.PeekSequence();
        Assert.True(sequence.IsSingleSegment);
        Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(sequence.FirstSpan),
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(frame.Span)));
    }

    [Fact]
    public void Partial_reads_narrow_the_head_frame()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 0, 1000);
        Deliver(buffer, _pool, 1000, 1000, 500);
        var part = new byte[300];
        Assert.Equal(300, buffer.Read(part));
        Assert.Equal(Stream(0, 300), part);
        Assert.Equal(1200, buffer.Available);
        Assert.Equal(2, InUse(_pool));

        var rest = new byte[800];
        Assert.Equal(800, buffer.Read(rest));
        Assert.Equal(Stream(300, 800), rest);
        Assert.Equal(1, InUse(_pool));
        Assert.Equal(Stream(1100, 400), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void Discard_consumes_without_copying_and_stops_at_available()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 0, 1000);
        Deliver(buffer, _pool, 1000, 1000, 1000);
        Assert.Equal(1500, buffer.Discard(1500));
        Assert.Equal(Stream(1500, 500), ReadAll(buffer));
        Assert.Equal(0, buffer.Discard(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Discard(-1));
        AssertPoolFull();
    }

    [Fact]
    public void Out_of_order_segment_waits_for_the_gap_then_both_become_in_order()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Assert.Equal(0, Deliver(buffer, _pool, 0, 1000, 1000));
        Assert.Equal(0, buffer.Available);
        Assert.Equal(1000, buffer.OutOfOrderBytes);

        Assert.Equal(2000, Deliver(buffer, _pool, 0, 0, 1000));
        Assert.Equal(2000, buffer.Available);
        Assert.Equal(0, buffer.OutOfOrderBytes);
        Assert.Equal(Stream(0, 2000), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void A_segment_filling_a_gap_joins_several_queued_segments()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 300, 100);
        Deliver(buffer, _pool, 0, 400, 600);
        Deliver(buffer, _pool, 0, 1000, 500);
        Deliver(buffer, _pool, 0, 2000, 500); // beyond another gap: stays queued
        Assert.Equal(1700, buffer.OutOfOrderBytes);

        Assert.Equal(1500, Deliver(buffer, _pool, 0, 0, 300));
        Assert.Equal(500, buffer.OutOfOrderBytes);
        Assert.Equal(Stream(0, 1500), ReadAll(buffer));

        Assert.Equal(1000, Deliver(buffer, _pool, 1500, 1500, 500));
        Assert.Equal(Stream(1500, 1000), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void Retransmission_overlapping_received_data_keeps_only_the_new_part()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 0, 1000);
        Assert.Equal(500, Deliver(buffer, _pool, 1000, 500, 1000));
        Assert.Equal(1500, buffer.Available);
        Assert.Equal(Stream(0, 1500), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void Duplicates_are_dropped()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 0, 1000);
        Assert.Equal(0, Deliver(buffer, _pool, 1000, 0, 1000));
        Assert.Equal(0, Deliver(buffer, _pool, 1000, 200, 800));

        Deliver(buffer, _pool, 1000, 3000, 1000);
        Assert.Equal(0, Deliver(buffer, _pool, 1000, 3000, 1000));
        Assert.Equal(0, Deliver(buffer, _pool, 1000, 3200, 300));
        Assert.Equal(1000, buffer.OutOfOrderBytes);
        Assert.Equal(1000, buffer.Available);
        Assert.Equal(2, InUse(_pool));
        Assert.Equal(2, buffer.HeldSegments);
    }

    [Fact]
    public void Out_of_order_overlaps_on_either_side_are_trimmed()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 1000, 1000);
        Assert.Equal(0, Deliver(buffer, _pool, 0, 1500, 1000)); // overlaps the right end
        Assert.Equal(1500, buffer.OutOfOrderBytes);
        Assert.Equal(0, Deliver(buffer, _pool, 0, 500, 700));   // overlaps the left end
        Assert.Equal(2000, buffer.OutOfOrderBytes);
        Assert.Equal(0, Deliver(buffer, _pool, 0, 2400, 200));  // straddles the end of queued data
        Assert.Equal(2100, buffer.OutOfOrderBytes);

        Assert.Equal(2600, Deliver(buffer, _pool, 0, 0, 600));
        Assert.Equal(Stream(0, 2600), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void A_segment_covering_queued_segments_replaces_them()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 1000, 100);
        Deliver(buffer, _pool, 0, 1200, 100);
        Deliver(buffer, _pool, 0, 1400, 100);
        Assert.Equal(3, buffer.HeldSegments);

        Deliver(buffer, _pool, 0, 900, 700);
        Assert.Equal(1, buffer.HeldSegments);
        Assert.Equal(1, InUse(_pool));
        Assert.Equal(700, buffer.OutOfOrderBytes);

        Assert.Equal(1600, Deliver(buffer, _pool, 0, 0, 900));
        Assert.Equal(Stream(0, 1600), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void Data_beyond_capacity_is_trimmed()
    {
        using var buffer = new TcpReceiveBuffer(1500);
        Assert.Equal(0, Deliver(buffer, _pool, 0, 1000, 1000));
        Assert.Equal(500, buffer.OutOfOrderBytes);
        Assert.Equal(0, Deliver(buffer, _pool, 0, 1500, 100)); // wholly outside
        Assert.Equal(1500, Deliver(buffer, _pool, 0, 0, 1000));
        Assert.Equal(1500, buffer.Available);
        Assert.Equal(0, buffer.Window);
        Assert.Equal(0, Deliver(buffer, _pool, 1500, 1500, 100));

        Assert.Equal(Stream(0, 1500), ReadAll(buffer));
        Assert.Equal(1500, buffer.Window);
        AssertPoolFull();
    }

    [Fact]
    public void Window_is_capacity_minus_in_order_bytes_and_is_not_shrunk_by_out_of_order_data()
    {
        using var buffer = new TcpReceiveBuffer(10000);
        Assert.Equal(10000, buffer.Window);
        Deliver(buffer, _pool, 0, 0, 1000);
        Assert.Equal(9000, buffer.Window);
        Deliver(buffer, _pool, 1000, 5000, 1000);
        Assert.Equal(9000, buffer.Window); // right edge stays at 10000

        buffer.Capacity = 500;
        Assert.Equal(0, buffer.Window);
        Assert.Equal(0, Deliver(buffer, _pool, 1000, 1000, 100));
        Assert.Equal(1000, buffer.OutOfOrderBytes); // already held: kept

        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Capacity = -1);
    }

    [Fact]
    public void Empty_payload_and_empty_frames_are_ignored()
    {
        using var buffer = new TcpReceiveBuffer(10000);
        Frame frame = Rent(_pool, 0, 0);
        Assert.Equal(0, buffer.Insert(0, frame));
        frame.Release();
        Assert.Equal(0, buffer.Insert(0, default));
        AssertPoolFull();
    }

    [Fact]
    public void Dispose_releases_every_frame_and_later_inserts_take_nothing()
    {
        var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 0, 1000);
        Deliver(buffer, _pool, 1000, 3000, 1000);
        Deliver(buffer, _pool, 1000, 6000, 1000);
        Assert.Equal(3, InUse(_pool));
        buffer.Dispose();
        AssertPoolFull();
        Assert.Equal(0, buffer.Available);
        Assert.Equal(0, buffer.OutOfOrderBytes);

        Assert.Equal(0, Deliver(buffer, _pool, 1000, 1000, 100));
        buffer.Dispose();
        AssertPoolFull();
    }

    [Fact]
    public void Tiny_in_order_segments_share_one_frame()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        for (int i = 0; i < 200; i++) Assert.Equal(1, Deliver(buffer, _pool, i, i, 1));
        Assert.Equal(1, buffer.HeldSegments);
        Assert.Equal(1, InUse(_pool));
        Assert.Equal(Stream(0, 200), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void Tiny_segments_are_not_copied_into_a_frame_someone_else_still_references()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Frame first = Rent(_pool, 0, 100);
        buffer.Insert(0, first); // the test keeps its reference: the frame is shared
        byte[] before = first.Pool.GetFrameSpan(first.Index).ToArray();

        Assert.Equal(10, Deliver(buffer, _pool, 100, 100, 10));
        Assert.Equal(2, buffer.HeldSegments);
        Assert.Equal(before, first.Pool.GetFrameSpan(first.Index).ToArray());
        first.Release();

        Assert.Equal(Stream(0, 110), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void Out_of_order_frames_are_capped_and_the_excess_dropped()
    {
        using var buffer = new TcpReceiveBuffer(4096);
        Assert.Equal(TcpReceiveBuffer.MinHeldSegments, buffer.MaxHeldSegments);
        // Every other byte: tiny out-of-order segments that cannot merge.
        for (int i = 0; i < 100; i++) Deliver(buffer, _pool, 0, 1 + (2 * i), 1);
        Assert.Equal(buffer.MaxHeldSegments, buffer.HeldSegments);
        Assert.Equal(buffer.MaxHeldSegments, InUse(_pool));
        Assert.True(buffer.DroppedSegments > 0);

        // The lowest ones were kept: the gap at 0 fills and the stream advances through them.
        Assert.Equal(2, Deliver(buffer, _pool, 0, 0, 1));
    }

    [Fact]
    public void A_lower_out_of_order_segment_displaces_the_highest_when_the_cap_is_reached()
    {
        using var buffer = new TcpReceiveBuffer(4096);
        for (int i = 0; i < TcpReceiveBuffer.MinHeldSegments; i++) Deliver(buffer, _pool, 0, 1000 + (10 * i), 1);
        Assert.Equal(0, Deliver(buffer, _pool, 0, 500, 1));
        Assert.Equal(TcpReceiveBuffer.MinHeldSegments, buffer.HeldSegments);

        Span<SackBlock> blocks = stackalloc SackBlock[64];
        int count = buffer.GetSackBlocks(new TcpSeq(0), blocks);
        Assert.Equal(TcpReceiveBuffer.MinHeldSegments, count);
        Assert.Equal(new SackBlock(new TcpSeq(500), new TcpSeq(501)), blocks[0]);
        for (int k = 0; k < count; k++) Assert.NotEqual(new TcpSeq(1000 + (10 * (TcpReceiveBuffer.MinHeldSegments - 1))), blocks[k].Left);
    }

    [Fact]
    public void In_order_data_evicts_out_of_order_data_when_the_cap_is_reached()
    {
        using var buffer = new TcpReceiveBuffer(4096);
        for (int i = 0; i < TcpReceiveBuffer.MinHeldSegments; i++) Deliver(buffer, _pool, 0, 2000 + (10 * i), 1);
        Assert.Equal(1000, Deliver(buffer, _pool, 0, 0, 1000)); // too big to copy: needs its own frame
        Assert.Equal(TcpReceiveBuffer.MinHeldSegments, buffer.HeldSegments);
        Assert.Equal(TcpReceiveBuffer.MinHeldSegments - 1, buffer.OutOfOrderSegmentCount);
        Assert.Equal(Stream(0, 1000), ReadAll(buffer));
    }

    [Fact]
    public void In_order_data_is_refused_only_when_the_cap_is_reached_by_in_order_data()
    {
        using var buffer = new TcpReceiveBuffer(64 * 1024);
        int cap = buffer.MaxHeldSegments;
        long position = 0;
        // Segments above SmallSegmentBytes are not copied while there is room: each holds its own frame.
        for (int i = 0; i < cap; i++)
        {
            Assert.Equal(300, Deliver(buffer, _pool, position, position, 300));
            position += 300;
        }
        Assert.Equal(cap, buffer.HeldSegments);
        Assert.Equal(300, Deliver(buffer, _pool, position, position, 300)); // copied into the spare room of the last frame
        position += 300;
        Assert.Equal(cap, buffer.HeldSegments);

        Assert.Equal(0, Deliver(buffer, _pool, position, position, 1900)); // cannot be copied, no frame to spare
        Assert.Equal(1, buffer.DroppedSegments);
        Assert.Equal(Stream(0, (int)position), ReadAll(buffer));
        AssertPoolFull();
    }

    [Fact]
    public void Sack_blocks_list_the_most_recent_segment_first()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        var rcvNxt = new TcpSeq(10_000);
        Deliver(buffer, _pool, 0, 1000, 100); // A
        Deliver(buffer, _pool, 0, 3000, 100); // C
        Deliver(buffer, _pool, 0, 2000, 100); // B
        Span<SackBlock> blocks = stackalloc SackBlock[4];
        Assert.Equal(3, buffer.GetSackBlocks(rcvNxt, blocks));
        Assert.Equal(new SackBlock(rcvNxt + 2000, rcvNxt + 2100), blocks[0]);
        Assert.Equal(new SackBlock(rcvNxt + 3000, rcvNxt + 3100), blocks[1]);
        Assert.Equal(new SackBlock(rcvNxt + 1000, rcvNxt + 1100), blocks[2]);

        // Extending A makes its (merged) block the first.
        Deliver(buffer, _pool, 0, 1100, 100);
        Assert.Equal(3, buffer.GetSackBlocks(rcvNxt, blocks));
        Assert.Equal(new SackBlock(rcvNxt + 1000, rcvNxt + 1200), blocks[0]);
        Assert.Equal(new SackBlock(rcvNxt + 2000, rcvNxt + 2100), blocks[1]);

        // A duplicate of C still names C first (its arrival triggered the ACK).
        Deliver(buffer, _pool, 0, 3000, 50);
        Assert.Equal(new SackBlock(rcvNxt + 3000, rcvNxt + 3100), blocks[..buffer.GetSackBlocks(rcvNxt, blocks)][0]);

        // Only as many as fit.
        Span<SackBlock> two = stackalloc SackBlock[2];
        Assert.Equal(2, buffer.GetSackBlocks(rcvNxt, two));
        Assert.Equal(0, buffer.GetSackBlocks(rcvNxt, []));
    }

    [Fact]
    public void Sack_blocks_follow_rcv_nxt_as_data_becomes_in_order()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 1000, 500);
        Deliver(buffer, _pool, 0, 2000, 500);
        Assert.Equal(1500, Deliver(buffer, _pool, 0, 0, 1000));
        var rcvNxt = new TcpSeq(1500);
        Span<SackBlock> blocks = stackalloc SackBlock[4];
        Assert.Equal(1, buffer.GetSackBlocks(rcvNxt, blocks));
        Assert.Equal(new SackBlock(new TcpSeq(2000), new TcpSeq(2500)), blocks[0]);

        Assert.Equal(1000, Deliver(buffer, _pool, 1500, 1500, 500));
        Assert.Equal(0, buffer.GetSackBlocks(rcvNxt + 1000, blocks));
    }

    [Fact]
    public void Sack_blocks_wrap_around_the_sequence_space()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        var rcvNxt = new TcpSeq(uint.MaxValue - 499);
        Deliver(buffer, _pool, 0, 100, 1000);
        Span<SackBlock> blocks = stackalloc SackBlock[4];
        Assert.Equal(1, buffer.GetSackBlocks(rcvNxt, blocks));
        Assert.Equal(new TcpSeq(uint.MaxValue - 399), blocks[0].Left);
        Assert.Equal(new TcpSeq(600), blocks[0].Right);
        Assert.Equal(1000, blocks[0].Right - blocks[0].Left);
    }

    [Fact]
    public unsafe void PeekSequence_spans_the_in_order_frames_without_copying()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Deliver(buffer, _pool, 0, 0, 1000);
        Deliver(buffer, _pool, 1000, 1000, 1400);
        Deliver(buffer, _pool, 2400, 2400, 600);
        Deliver(buffer, _pool, 3000, 5000, 600); // out of order: not part of the sequence
        var discard = new byte[100];
        buffer.Read(discard);

        ReadOnlySequence<byte> sequence = buffer.PeekSequence();
        Assert.Equal(2900, sequence.Length);
        Assert.Equal(Stream(100, 2900), sequence.ToArray());
        int segments = 0;
        foreach (ReadOnlyMemory<byte> memory in sequence)
        {
            segments++;
            fixed (byte* start = memory.Span)
            {
                Assert.True(_pool.Contains((nint)start));
                Assert.True(_pool.Contains((nint)(start + memory.Length - 1)));
            }
            using MemoryHandle handle = memory.Pin();
            Assert.True(_pool.Contains((nint)handle.Pointer));
        }
        Assert.Equal(3, segments);
        Assert.Equal(2900, buffer.Available); // peeking consumes nothing

        // Reused nodes describe the new state after a read.
        buffer.Read(new byte[900]);
        Assert.Equal(Stream(1000, 2000), buffer.PeekSequence().ToArray());
    }

    [Fact]
    public void PeekSequence_of_an_empty_buffer_is_empty()
    {
        using var buffer = new TcpReceiveBuffer(65536);
        Assert.True(buffer.PeekSequence().IsEmpty);
        Deliver(buffer, _pool, 0, 100, 100);
        Assert.True(buffer.PeekSequence().IsEmpty);
    }
}

using System.Buffers.Binary;
using Junction.Devices;
using Junction.Devices.Verbs;

namespace Junction.Tests.Verbs;

public sealed unsafe class Mlx5ReceiveTests : IDisposable
{
    private const uint Lkey = 0x0badf00d;
    private readonly NativeBuffer _ring = new(4096);
    private readonly NativeBuffer _doorbell = new(64);
    private readonly FramePool _pool = new(64, 2048);

    public void Dispose()
    {
        _ring.Dispose();
        _doorbell.Dispose();
        _pool.Dispose();
    }

    private nint FrameAddress(int index) => _pool.BaseAddress + (nint)index * _pool.FrameSize;

    private static Mlx5Completion Parse(int opcode, ushort wqeCounter, uint byteCount, ushort strideIndex = 0)
    {
        Span<byte> cqe = stackalloc byte[Mlx5Prm.CqeSize];
        CqeImage.Write(cqe, 0, opcode, 0, wqeCounter, byteCount, strideIndex);
        return Mlx5Completion.Parse(cqe);
    }

    [Fact]
    public void Single_packet_wqe_is_a_data_segment_then_an_invalid_lkey_terminator()
    {
        var rq = new Mlx5ReceiveQueue(_ring.Pointer, 4, 32, (uint*)_doorbell.Pointer, Lkey, striding: false);

        Assert.Equal(0, rq.Post(0x1000_2000, 2048));
        rq.RingDoorbell();

        Span<byte> wqe = _ring.Span.Slice(0, 32);
        Assert.Equal(2048u, BinaryPrimitives.ReadUInt32BigEndian(wqe));
        Assert.Equal(Lkey, BinaryPrimitives.ReadUInt32BigEndian(wqe.Slice(4)));
        Assert.Equal(0x1000_2000ul, BinaryPrimitives.ReadUInt64BigEndian(wqe.Slice(8)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(wqe.Slice(16)));
        Assert.Equal(Mlx5Prm.InvalidLkey, BinaryPrimitives.ReadUInt32BigEndian(wqe.Slice(20)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(_doorbell.Span));
    }

    [Fact]
    public void Striding_wqe_is_a_next_segment_then_one_data_segment_over_all_strides()
    {
        var rq = new Mlx5ReceiveQueue(_ring.Pointer, 4, 32, (uint*)_doorbell.Pointer, Lkey, striding: true);
        _ring.Span.Slice(0, 16).Fill(0xee);

        rq.Post(0x4000_0000, 64 * 2048);

        Assert.True(_ring.Span.Slice(0, 16).SequenceEqual(new byte[16]));
        Assert.Equal(64u * 2048, BinaryPrimitives.ReadUInt32BigEndian(_ring.Span.Slice(16)));
        Assert.Equal(Lkey, BinaryPrimitives.ReadUInt32BigEndian(_ring.Span.Slice(20)));
        Assert.Equal(0x4000_0000ul, BinaryPrimitives.ReadUInt64BigEndian(_ring.Span.Slice(24)));
    }

    [Fact]
    public void Receive_doorbell_carries_the_low_sixteen_bits_of_the_producer_index()
    {
        var rq = new Mlx5ReceiveQueue(_ring.Pointer, 4, 16, (uint*)_doorbell.Pointer, Lkey, striding: false);
        for (int i = 0; i < 65537; i++)
        {
            rq.Post(0, 64);
            rq.RetireOldest();
        }

        rq.RingDoorbell();

        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(_doorbell.Span));
        Assert.Equal(1, rq.SlotOf(65537 & 0xffff));
    }

    [Fact]
    public void Single_packet_receiver_lends_the_posted_frame_and_refills_the_slot()
    {
        var rq = new Mlx5ReceiveQueue(_ring.Pointer, 4, 16, (uint*)_doorbell.Pointer, Lkey, striding: false);
        using var receiver = new Mlx5SinglePacketReceiver(rq, _pool);
        Assert.Equal(4, receiver.Fill());
        ulong firstAddress = BinaryPrimitives.ReadUInt64BigEndian(_ring.Span.Slice(8));

        Assert.True(receiver.TryTake(Parse(Mlx5Prm.CqeOpcodeResponderSend, 0, 60), out Frame frame));

        Assert.Equal((ulong)FrameAddress(frame.Index), firstAddress);
        Assert.Equal(60, frame.Length);
        Assert.Equal(0, frame.Offset);
        Assert.Equal(1, receiver.Fill());
        Assert.Equal(59, _pool.FreeCount);
        frame.Release();
    }

    [Fact]
    public void Single_packet_receiver_counts_errors_and_runts_and_returns_their_frames()
    {
        var rq = new Mlx5ReceiveQueue(_ring.Pointer, 4, 16, (uint*)_doorbell.Pointer, Lkey, striding: false);
        var receiver = new Mlx5SinglePacketReceiver(rq, _pool);
        receiver.Fill();

        Assert.False(receiver.TryTake(Parse(Mlx5Prm.CqeOpcodeResponderError, 0, 0), out _));
        Assert.False(receiver.TryTake(Parse(Mlx5Prm.CqeOpcodeResponderSend, 1, 10), out _));
        Assert.False(receiver.TryTake(Parse(Mlx5Prm.CqeOpcodeResponderSend, 2, 4000), out _));

        Assert.Equal(1, receiver.Statistics.Errors);
        Assert.Equal(2, receiver.Statistics.Dropped);
        Assert.Equal(63, _pool.FreeCount);
        receiver.Dispose();
        Assert.Equal(_pool.FrameCount, _pool.FreeCount);
    }

    [Fact]
    public void Striding_receiver_lends_stride_frames_and_reposts_a_block_only_after_they_return()
    {
        var rq = new Mlx5ReceiveQueue(_ring.Pointer, 2, 32, (uint*)_doorbell.Pointer, Lkey, striding: true);
        var receiver = new Mlx5StridingReceiver(rq, _pool, stridesPerWqe: 8, blockCount: 3);
        Assert.Equal(3, receiver.BlockCount);
        Assert.Equal(2, receiver.Fill());
        ulong firstBlock = BinaryPrimitives.ReadUInt64BigEndian(_ring.Span.Slice(24));
        int firstFrame = (int)(((long)firstBlock - _pool.BaseAddress) / _pool.FrameSize);

        Assert.True(receiver.TryTake(Parse(Mlx5Prm.CqeOpcodeResponderSend, 0, CqeImage.Strided(60, 1), strideIndex: 0), out Frame a));
        Assert.True(receiver.TryTake(Parse(Mlx5Prm.CqeOpcodeResponderSend, 0, CqeImage.Strided(1514, 1), strideIndex: 1), out Frame b));
        Assert.Equal(firstFrame, a.Index);
        Assert.Equal(firstFrame + 1, b.Index);
        Assert.Equal(1514, b.Length);
        Assert.Equal(2, _pool.GetRefCount(a.Index));

        // The NIC pads out the WQE with a filler: the block is used up, but two of its frames are still lent.
        Assert.False(receiver.TryTake(Parse(Mlx5Prm.CqeOpcodeResponderSend, 0, CqeImage.Strided(0, 6, filler: true), strideIndex: 2), out _));
        Assert.Equal(1, receiver.Retired);
        Assert.Equal(1, receiver.Fill());                 // the spare block goes in
        Assert.Equal(0, receiver.Fill());                 // the used-up one waits for its frames
        Assert.Equal(1, receiver.Retired);

        a.Release();
        b.Release();
        // The second block is used up too (never lent from); both used-up blocks are now free again, one fits.
        Assert.False(receiver.TryTake(Parse(Mlx5Prm.CqeOpcodeResponderSend, 1, CqeImage.Strided(0, 8, filler: true)), out _));
        Assert.Equal(2, receiver.Retired);
        Assert.Equal(1, receiver.Fill());
        Assert.Equal(0, receiver.Retired);
        Assert.Equal(2, receiver.Posted);
        Assert.Equal(2, receiver.Statistics.Fillers);
        Assert.Equal(2, receiver.Statistics.Packets);

        receiver.Dispose();
        Assert.Equal(_pool.FrameCount, _pool.FreeCount);
    }

    [Fact]
    public void Striding_receiver_keeps_only_aligned_runs_of_consecutive_frames()
    {
        // Frames 0..2 are in use elsewhere, so the first aligned run of eight starts at frame 8.
        _pool.TryRent(out Frame x);
        _pool.TryRent(out Frame y);
        _pool.TryRent(out Frame z);
        var rq = new Mlx5ReceiveQueue(_ring.Pointer, 2, 32, (uint*)_doorbell.Pointer, Lkey, striding: true);
        var receiver = new Mlx5StridingReceiver(rq, _pool, stridesPerWqe: 8, blockCount: 2);
        receiver.Fill();

        Assert.Equal((ulong)FrameAddress(8), BinaryPrimitives.ReadUInt64BigEndian(_ring.Span.Slice(24)));
        Assert.Equal(64 - 3 - 16, _pool.FreeCount);

        receiver.Dispose();
        x.Release();
        y.Release();
        z.Release();
        Assert.Equal(_pool.FrameCount, _pool.FreeCount);
    }
}

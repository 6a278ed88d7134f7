using System.Buffers.Binary;
using Junction.Devices.Verbs;

namespace Junction.Tests.Verbs;

public sealed unsafe class Mlx5SendQueueTests : IDisposable
{
    private const int Wqes = 4;
    private const int BlueFlameSize = 256;
    private const uint QpNumber = 0xabcde;
    private const uint Lkey = 0x11223344;
    private readonly NativeBuffer _ring = new(Wqes * Mlx5Prm.SendWqeBasicBlock);
    private readonly NativeBuffer _doorbell = new(64);
    private readonly NativeBuffer _blueFlame = new(4096);
    private readonly NativeBuffer _packet = new(2048);
    private readonly Mlx5SendQueue _sq;

    public Mlx5SendQueueTests()
    {
        for (int i = 0; i < _packet.Size; i++) _packet.Span[i] = (byte)i;
        _sq = new Mlx5SendQueue(_ring.Pointer, Wqes, Mlx5Prm.SendWqeBasicBlock, (uint*)_doorbell.Pointer, _blueFlame.Pointer, BlueFlameSize, QpNumber, Lkey);
    }

    public void Dispose()
    {
        _ring.Dispose();
        _doorbell.Dispose();
        _blueFlame.Dispose();
        _packet.Dispose();
    }

    private Span<byte> Wqe(int slot) => _ring.Span.Slice(slot * Mlx5Prm.SendWqeBasicBlock, Mlx5Prm.SendWqeBasicBlock);

    [Fact]
    public void Send_wqe_has_control_ethernet_and_data_segments_per_the_prm()
    {
        nint address = (nint)_packet.Pointer;

        int slot = _sq.Post(address, 100, requestCompletion: true, offloadChecksums: true);

        Assert.Equal(0, slot);
        Span<byte> wqe = Wqe(0);
        Assert.Equal(0x0000_000au, BinaryPrimitives.ReadUInt32BigEndian(wqe));                    // index 0, opcode SEND
        Assert.Equal((QpNumber << 8) | 4u, BinaryPrimitives.ReadUInt32BigEndian(wqe.Slice(4)));  // QPN, 4 x 16 bytes
        Assert.Equal(Mlx5Prm.CtrlCqUpdate, wqe[11]);
        Span<byte> eth = wqe.Slice(16, 32);
        Assert.Equal(Mlx5Prm.EthL3Csum | Mlx5Prm.EthL4Csum, eth[4]);
        Assert.Equal(18, BinaryPrimitives.ReadUInt16BigEndian(eth.Slice(12)));
        Assert.True(eth.Slice(14, 18).SequenceEqual(_packet.Span.Slice(0, 18)));
        Span<byte> data = wqe.Slice(48, 16);
        Assert.Equal(82u, BinaryPrimitives.ReadUInt32BigEndian(data));
        Assert.Equal(Lkey, BinaryPrimitives.ReadUInt32BigEndian(data.Slice(4)));
        Assert.Equal((ulong)(address + 18), BinaryPrimitives.ReadUInt64BigEndian(data.Slice(8)));
    }

    [Fact]
    public void Unsignalled_wqe_without_offload_leaves_those_bits_clear()
    {
        _sq.Post((nint)_packet.Pointer, 60, requestCompletion: false, offloadChecksums: false);

        Assert.Equal(0, Wqe(0)[11]);
        Assert.Equal(0, Wqe(0)[16 + 4]);
    }

    [Fact]
    public void Doorbell_publishes_the_producer_index_then_writes_the_last_wqe_to_alternating_blueflame_buffers()
    {
        _sq.Post((nint)_packet.Pointer, 60, false, true);
        _sq.Post((nint)_packet.Pointer, 60, true, true);

        _sq.RingDoorbell();

        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(_doorbell.Span.Slice(4)));
        Assert.True(_blueFlame.Span.Slice(0, 8).SequenceEqual(Wqe(1).Slice(0, 8)));
        Assert.True(_blueFlame.Span.Slice(BlueFlameSize, 8).SequenceEqual(new byte[8]));

        _sq.Post((nint)_packet.Pointer, 60, true, true);
        _sq.RingDoorbell();

        Assert.Equal(3u, BinaryPrimitives.ReadUInt32BigEndian(_doorbell.Span.Slice(4)));
        Assert.True(_blueFlame.Span.Slice(BlueFlameSize, 8).SequenceEqual(Wqe(2).Slice(0, 8)));
    }

    [Fact]
    public void Ringing_with_nothing_posted_writes_nothing()
    {
        _sq.RingDoorbell();

        Assert.True(_doorbell.Span.Slice(0, 8).SequenceEqual(new byte[8]));
        Assert.True(_blueFlame.Span.Slice(0, 8).SequenceEqual(new byte[8]));
    }

    [Fact]
    public void Full_ring_and_runt_frames_are_refused()
    {
        for (int i = 0; i < Wqes; i++) Assert.Equal(i, _sq.Post((nint)_packet.Pointer, 60, false, false));

        Assert.Equal(-1, _sq.Post((nint)_packet.Pointer, 60, false, false));
        Assert.Equal(0, _sq.FreeSlots);
        Assert.Equal(-1, new Mlx5SendQueue(_ring.Pointer, Wqes, 64, (uint*)_doorbell.Pointer, _blueFlame.Pointer, BlueFlameSize, QpNumber, Lkey)
            .Post((nint)_packet.Pointer, 17, false, false));
    }

    [Fact]
    public void Completion_retires_every_wqe_up_to_the_signalled_one()
    {
        for (int i = 0; i < 3; i++) _sq.Post((nint)_packet.Pointer, 60, i == 2, false);

        Assert.Equal(0, _sq.OldestSlot);
        Assert.Equal(3, _sq.Complete(2));
        Assert.Equal(0, _sq.Outstanding);
        Assert.Equal(3, _sq.OldestSlot);
        Assert.Equal(0, _sq.Complete(2));
    }

    [Fact]
    public void Wqe_index_and_completion_counter_wrap_at_sixteen_bits()
    {
        // Run the producer to just before 65536, then post across the wrap.
        for (int i = 0; i < 65534; i++)
        {
            _sq.Post((nint)_packet.Pointer, 60, true, false);
            Assert.Equal(1, _sq.Complete((ushort)i));
        }

        int a = _sq.Post((nint)_packet.Pointer, 60, false, false);  // index 65534
        int b = _sq.Post((nint)_packet.Pointer, 60, false, false);  // index 65535
        int c = _sq.Post((nint)_packet.Pointer, 60, true, false);   // index 65536: 0 on the wire

        Assert.Equal(0xfffe_0au, BinaryPrimitives.ReadUInt32BigEndian(Wqe(a)));
        Assert.Equal(0xffff_0au, BinaryPrimitives.ReadUInt32BigEndian(Wqe(b)));
        Assert.Equal(0x0000_0au, BinaryPrimitives.ReadUInt32BigEndian(Wqe(c)));
        Assert.Equal(3, _sq.Complete(0));
        Assert.Equal(0, _sq.Outstanding);
    }
}

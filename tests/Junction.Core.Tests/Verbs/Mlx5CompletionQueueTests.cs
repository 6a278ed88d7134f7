using System.Buffers.Binary;
using Junction.Devices.Verbs;

namespace Junction.Tests.Verbs;

public sealed unsafe class Mlx5CompletionQueueTests : IDisposable
{
    private const int Entries = 4;
    private readonly NativeBuffer _ring = new(Entries * Mlx5Prm.CqeSize);
    private readonly NativeBuffer _doorbell = new(64);
    private readonly NativeBuffer _uar = new(4096);
    private readonly Mlx5CompletionQueue _cq;

    public Mlx5CompletionQueueTests()
    {
        CqeImage.FillInvalid(_ring.Span);
        _cq = new Mlx5CompletionQueue(_ring.Pointer, Entries, (uint*)_doorbell.Pointer, _uar.Pointer, cqNumber: 0x1234);
    }

    public void Dispose()
    {
        _ring.Dispose();
        _doorbell.Dispose();
        _uar.Dispose();
    }

    [Fact]
    public void Fresh_ring_of_invalid_entries_yields_nothing()
    {
        Assert.False(_cq.TryPoll(out _));
        Assert.False(_cq.HasPending);
        Assert.Equal(0u, _cq.ConsumerIndex);
    }

    [Fact]
    public void Receive_completion_fields_are_parsed_from_big_endian()
    {
        CqeImage.Write(_ring.Span, 0, Mlx5Prm.CqeOpcodeResponderSend, owner: 0, wqeCounter: 0x0102, byteCount: 1514, hdsIpExt: Mlx5Prm.CqeL3Ok | Mlx5Prm.CqeL4Ok);

        Assert.True(_cq.HasPending);
        Assert.True(_cq.TryPoll(out Mlx5Completion c));
        Assert.Equal(Mlx5Prm.CqeOpcodeResponderSend, c.Opcode);
        Assert.Equal(0x0102, c.WqeCounter);
        Assert.Equal(1514, c.ByteCount);
        Assert.True(c.ChecksumsVerified);
        Assert.False(c.IsError);
        Assert.Equal(1u, _cq.ConsumerIndex);
        Assert.False(_cq.TryPoll(out _));
    }

    [Fact]
    public void Entry_with_the_previous_pass_owner_bit_is_not_taken_after_wrap_around()
    {
        for (int i = 0; i < Entries; i++) CqeImage.Write(_ring.Span, i, Mlx5Prm.CqeOpcodeRequester, owner: 0, wqeCounter: (ushort)i, byteCount: 0);
        for (int i = 0; i < Entries; i++)
        {
            Assert.True(_cq.TryPoll(out Mlx5Completion c));
            Assert.Equal(i, c.WqeCounter);
        }

        // Index 4 maps to slot 0 again, which still holds the first pass's entry (owner 0): the second pass expects 1.
        Assert.False(_cq.TryPoll(out _));
        Assert.Equal(4u, _cq.ConsumerIndex);

        CqeImage.Write(_ring.Span, 0, Mlx5Prm.CqeOpcodeRequester, owner: 1, wqeCounter: 4, byteCount: 0);
        Assert.True(_cq.TryPoll(out Mlx5Completion wrapped));
        Assert.Equal(4, wrapped.WqeCounter);
        Assert.False(_cq.TryPoll(out _));
    }

    [Fact]
    public void Owner_bit_expectation_flips_back_on_the_third_pass()
    {
        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 0; i < Entries; i++)
            {
                CqeImage.Write(_ring.Span, i, Mlx5Prm.CqeOpcodeRequester, owner: pass & 1, wqeCounter: (ushort)(pass * Entries + i), byteCount: 0);
                Assert.True(_cq.TryPoll(out Mlx5Completion c));
                Assert.Equal(pass * Entries + i, c.WqeCounter);
            }
        }
        // Slot 0 holds owner 0 from pass 2; pass 3 expects owner 1.
        Assert.False(_cq.TryPoll(out _));
    }

    [Fact]
    public void Doorbell_record_carries_the_consumer_index_big_endian()
    {
        CqeImage.Write(_ring.Span, 0, Mlx5Prm.CqeOpcodeRequester, 0, 0, 0);
        CqeImage.Write(_ring.Span, 1, Mlx5Prm.CqeOpcodeRequester, 0, 1, 0);
        Assert.True(_cq.TryPoll(out _));
        Assert.True(_cq.TryPoll(out _));

        _cq.UpdateDoorbellRecord();

        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(_doorbell.Span));
    }

    [Fact]
    public void Arm_writes_sequence_command_and_index_to_the_record_and_the_uar_doorbell()
    {
        CqeImage.Write(_ring.Span, 0, Mlx5Prm.CqeOpcodeRequester, 0, 0, 0);
        Assert.True(_cq.TryPoll(out _));

        _cq.Arm();

        Assert.Equal(0x0000_0001u, BinaryPrimitives.ReadUInt32BigEndian(_doorbell.Span.Slice(4)));
        Assert.Equal(0x0000_0001_0000_1234ul, BinaryPrimitives.ReadUInt64BigEndian(_uar.Span.Slice(Mlx5Prm.CqUarDoorbellOffset)));

        _cq.EventConsumed();
        _cq.Arm();

        Assert.Equal(0x1000_0001u, BinaryPrimitives.ReadUInt32BigEndian(_doorbell.Span.Slice(4)));
        Assert.Equal(0x1000_0001_0000_1234ul, BinaryPrimitives.ReadUInt64BigEndian(_uar.Span.Slice(Mlx5Prm.CqUarDoorbellOffset)));
    }

    [Fact]
    public void Arm_sequence_wraps_after_four_events()
    {
        for (int i = 0; i < 4; i++) _cq.EventConsumed();

        Assert.Equal(0u, _cq.ArmValue >> 28);
    }

    [Fact]
    public void Error_completion_reports_its_syndromes()
    {
        CqeImage.Write(_ring.Span, 0, Mlx5Prm.CqeOpcodeRequesterError, 0, wqeCounter: 7, byteCount: 0, syndrome: 0x04, vendorSyndrome: 0x32);

        Assert.True(_cq.TryPoll(out Mlx5Completion c));
        Assert.True(c.IsError);
        Assert.Equal(0x04, c.Syndrome);
        Assert.Equal(0x32, c.VendorSyndrome);
        Assert.Equal(7, c.WqeCounter);
    }

    [Fact]
    public void Compressed_entries_are_counted_and_skipped()
    {
        CqeImage.Write(_ring.Span, 0, Mlx5Prm.CqeOpcodeResponderSend, 0, 0, 60, format: Mlx5Prm.CqeFormatCompressed);
        CqeImage.Write(_ring.Span, 1, Mlx5Prm.CqeOpcodeResponderSend, 0, 1, 60);

        Assert.True(_cq.TryPoll(out Mlx5Completion c));
        Assert.Equal(1, c.WqeCounter);
        Assert.Equal(1, _cq.MalformedEntries);
    }

    [Fact]
    public void Striding_byte_count_unpacks_filler_strides_and_length()
    {
        CqeImage.Write(_ring.Span, 0, Mlx5Prm.CqeOpcodeResponderSend, 0, wqeCounter: 3, byteCount: CqeImage.Strided(98, 1), strideIndex: 17);
        CqeImage.Write(_ring.Span, 1, Mlx5Prm.CqeOpcodeResponderSend, 0, wqeCounter: 3, byteCount: CqeImage.Strided(0, 46, filler: true), strideIndex: 18);

        Assert.True(_cq.TryPoll(out Mlx5Completion packet));
        Assert.Equal(98, packet.StridedLength);
        Assert.Equal(1, packet.StridesConsumed);
        Assert.Equal(17, packet.StrideIndex);
        Assert.False(packet.IsFiller);
        Assert.True(_cq.TryPoll(out Mlx5Completion filler));
        Assert.True(filler.IsFiller);
        Assert.Equal(46, filler.StridesConsumed);
    }
}

using System.Buffers.Binary;

namespace Junction.Devices.Verbs;

/// <summary>One parsed mlx5 completion queue entry (<c>struct mlx5_cqe64</c>).</summary>
internal readonly struct Mlx5Completion
{
    private Mlx5Completion(byte opcode, ushort wqeCounter, uint byteCount, ushort strideIndex, byte hdsIpExt, byte syndrome, byte vendorSyndrome)
    {
        Opcode = opcode;
        WqeCounter = wqeCounter;
        RawByteCount = byteCount;
        StrideIndex = strideIndex;
        HdsIpExt = hdsIpExt;
        Syndrome = syndrome;
        VendorSyndrome = vendorSyndrome;
    }

    /// <summary>The CQE opcode (high nibble of <c>op_own</c>): 0 send done, 2 packet received, 13/14 errors.</summary>
    public byte Opcode { get; }

    /// <summary>Which WQE completed: for sends the last one signalled, for receives the WQE the packet used.</summary>
    public ushort WqeCounter { get; }

    /// <summary>The <c>byte_cnt</c> field as written; for striding receives it packs filler, strides and length.</summary>
    public uint RawByteCount { get; }

    /// <summary>For striding receives: the first stride of the WQE the packet landed in (<c>wqe_id</c>).</summary>
    public ushort StrideIndex { get; }

    /// <summary>Checksum verdict bits (<c>hds_ip_ext</c>).</summary>
    public byte HdsIpExt { get; }

    /// <summary>For error completions: the syndrome (e.g. 0x01 local length, 0x04 local protection).</summary>
    public byte Syndrome { get; }

    /// <summary>For error completions: the vendor-specific syndrome.</summary>
    public byte VendorSyndrome { get; }

    /// <summary>Whether this reports an error rather than a completed send or received packet.</summary>
    public bool IsError => Opcode is Mlx5Prm.CqeOpcodeRequesterError or Mlx5Prm.CqeOpcodeResponderError;

    /// <summary>Packet length of a single-packet receive completion.</summary>
    public int ByteCount => (int)RawByteCount;

    /// <summary>Packet length of a striding receive completion.</summary>
    public int StridedLength => (int)(RawByteCount & Mlx5Prm.MprqLengthMask);

    /// <summary>How many strides a striding receive completion used up (packet or filler).</summary>
    public int StridesConsumed => (int)((RawByteCount & Mlx5Prm.MprqStrideCountMask) >> Mlx5Prm.MprqStrideCountShift);

    /// <summary>Whether a striding receive completion only pads out the rest of its WQE (no packet).</summary>
    public bool IsFiller => (RawByteCount & Mlx5Prm.MprqFillerMask) != 0;

    /// <summary>Whether the NIC verified both the IP header checksum and the TCP/UDP checksum.</summary>
    public bool ChecksumsVerified => (HdsIpExt & (Mlx5Prm.CqeL3Ok | Mlx5Prm.CqeL4Ok)) == (Mlx5Prm.CqeL3Ok | Mlx5Prm.CqeL4Ok);

    /// <summary>Reads the fields of the 64-byte entry <paramref name="cqe"/> (its ownership was already checked).</summary>
    public static Mlx5Completion Parse(ReadOnlySpan<byte> cqe)
    {
        byte opcode = (byte)(cqe[Mlx5Prm.CqeOpOwnOffset] >> 4);
        bool error = opcode is Mlx5Prm.CqeOpcodeRequesterError or Mlx5Prm.CqeOpcodeResponderError;
        return new Mlx5Completion(
            opcode,
            BinaryPrimitives.ReadUInt16BigEndian(cqe.Slice(Mlx5Prm.CqeWqeCounterOffset)),
            BinaryPrimitives.ReadUInt32BigEndian(cqe.Slice(Mlx5Prm.CqeByteCountOffset)),
            BinaryPrimitives.ReadUInt16BigEndian(cqe.Slice(Mlx5Prm.CqeWqeIdOffset)),
            cqe[Mlx5Prm.CqeHdsIpExtOffset],
            error ? cqe[Mlx5Prm.ErrCqeSyndromeOffset] : (byte)0,
            error ? cqe[Mlx5Prm.ErrCqeVendorSyndromeOffset] : (byte)0);
    }
}

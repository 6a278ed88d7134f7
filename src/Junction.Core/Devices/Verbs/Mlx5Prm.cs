namespace Junction.Devices.Verbs;

/// <summary>
/// Byte offsets and codes of the mlx5 hardware formats (the ConnectX "PRM": completion entries, send WQE segments,
/// receive WQEs, doorbells), as rdma-core's mlx5dv.h spells them. All multi-byte fields are big-endian.
/// The layout probe checks every offset here against the installed headers.
/// </summary>
internal static class Mlx5Prm
{
    // struct mlx5_cqe64
    public const int CqeSize = 64;
    public const int CqeWqeIdOffset = 2;
    public const int CqeHdsIpExtOffset = 28;
    public const int CqeL4HdrTypeOffset = 29;
    public const int CqeVlanInfoOffset = 30;
    public const int CqeByteCountOffset = 44;
    public const int CqeTimestampOffset = 48;
    public const int CqeSopDropQpnOffset = 56;
    public const int CqeWqeCounterOffset = 60;
    public const int CqeOpOwnOffset = 63;

    // struct mlx5_err_cqe
    public const int ErrCqeVendorSyndromeOffset = 54;
    public const int ErrCqeSyndromeOffset = 55;

    // op_own: opcode in the high nibble, CQE format in bits 3:2, owner in bit 0.
    public const byte CqeOwnerMask = 1;
    public const int CqeOpcodeRequester = 0;
    public const int CqeOpcodeResponderSend = 2;
    public const int CqeOpcodeRequesterError = 13;
    public const int CqeOpcodeResponderError = 14;
    public const int CqeOpcodeInvalid = 15;
    public const int CqeFormatCompressed = 3;

    // hds_ip_ext bits
    public const byte CqeL3Ok = 1 << 1;
    public const byte CqeL4Ok = 1 << 2;

    // byte_cnt of a multi-packet (striding) receive completion
    public const uint MprqFillerMask = 0x8000_0000;
    public const uint MprqStrideCountMask = 0x3fff_0000;
    public const int MprqStrideCountShift = 16;
    public const uint MprqLengthMask = 0x0000_ffff;

    // struct mlx5_wqe_ctrl_seg
    public const int CtrlSegSize = 16;
    public const int CtrlOpmodIdxOpcodeOffset = 0;
    public const int CtrlQpnDsOffset = 4;
    public const int CtrlSignatureOffset = 8;
    public const int CtrlFmCeSeOffset = 11;
    public const int CtrlImmOffset = 12;
    public const byte OpcodeSend = 0x0a;
    public const byte CtrlCqUpdate = 2 << 2;

    // struct mlx5_wqe_eth_seg
    public const int EthSegSize = 32;
    public const int EthCsFlagsOffset = 4;
    public const int EthMssOffset = 6;
    public const int EthInlineHdrSzOffset = 12;
    public const int EthInlineHdrStartOffset = 14;
    public const int EthInlineHdrOffset = 16;
    public const byte EthL3Csum = 1 << 6;
    public const byte EthL4Csum = 1 << 7;

    /// <summary>
    /// Bytes of every frame copied into the Ethernet segment: a VLAN-tagged L2 header (ConnectX-4 requires at least
    /// the L2 header inline; the eth segment has room for exactly 18 bytes).
    /// </summary>
    public const int InlineHeaderSize = 18;

    // struct mlx5_wqe_data_seg
    public const int DataSegSize = 16;
    public const int DataByteCountOffset = 0;
    public const int DataLkeyOffset = 4;
    public const int DataAddrOffset = 8;

    /// <summary>An lkey no memory has: a data segment with it ends a receive WQE's scatter list.</summary>
    public const uint InvalidLkey = 0x100;

    // struct mlx5_wqe_srq_next_seg / mlx5_mprq_wqe
    public const int NextSegSize = 16;
    public const int NextWqeIndexOffset = 2;
    public const int MprqWqeSize = 32;
    public const int MprqDataSegOffset = 16;

    /// <summary>Send WQE basic block (<c>MLX5_SEND_WQE_BB</c>).</summary>
    public const int SendWqeBasicBlock = 64;

    /// <summary>A raw Ethernet send: control + Ethernet + one data segment, in 16-byte units.</summary>
    public const int SendWqeDataSegments = (CtrlSegSize + EthSegSize + DataSegSize) / 16;

    // doorbell records (__be32 arrays)
    public const int ReceiveDoorbellIndex = 0;
    public const int SendDoorbellIndex = 1;
    public const int CqSetConsumerIndex = 0;
    public const int CqArmIndex = 1;

    /// <summary>Offset of the CQ doorbell in the UAR page (<c>MLX5_CQ_DOORBELL</c>).</summary>
    public const int CqUarDoorbellOffset = 0x20;

    /// <summary>The consumer index field of CQ doorbells is 24 bits wide.</summary>
    public const uint CqConsumerIndexMask = 0x00ff_ffff;
}

using System.Buffers.Binary;
using Junction.Devices.Verbs;

namespace Junction.Tests.Verbs;

/// <summary>Writes 64-byte completion entries the way a ConnectX NIC does (big-endian fields, op_own last).</summary>
internal static class CqeImage
{
    /// <summary>What the provider leaves in a fresh ring: opcode "invalid", owner 0.</summary>
    public static void FillInvalid(Span<byte> ring)
    {
        for (int i = 0; i < ring.Length; i += Mlx5Prm.CqeSize)
        {
            ring.Slice(i, Mlx5Prm.CqeSize).Clear();
            ring[i + Mlx5Prm.CqeOpOwnOffset] = Mlx5Prm.CqeOpcodeInvalid << 4;
        }
    }

    public static void Write(Span<byte> ring, int index, int opcode, int owner, ushort wqeCounter, uint byteCount,
        ushort strideIndex = 0, byte hdsIpExt = 0, byte syndrome = 0, byte vendorSyndrome = 0, int format = 0)
    {
        Span<byte> cqe = ring.Slice(index * Mlx5Prm.CqeSize, Mlx5Prm.CqeSize);
        cqe.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(cqe.Slice(Mlx5Prm.CqeWqeIdOffset), strideIndex);
        cqe[Mlx5Prm.CqeHdsIpExtOffset] = hdsIpExt;
        BinaryPrimitives.WriteUInt32BigEndian(cqe.Slice(Mlx5Prm.CqeByteCountOffset), byteCount);
        cqe[Mlx5Prm.ErrCqeVendorSyndromeOffset] = vendorSyndrome;
        cqe[Mlx5Prm.ErrCqeSyndromeOffset] = syndrome;
        BinaryPrimitives.WriteUInt16BigEndian(cqe.Slice(Mlx5Prm.CqeWqeCounterOffset), wqeCounter);
        cqe[Mlx5Prm.CqeOpOwnOffset] = (byte)((opcode << 4) | (format << 2) | owner);
    }

    /// <summary>byte_cnt of a striding receive: filler flag, strides consumed, length.</summary>
    public static uint Strided(int length, int strides, bool filler = false) =>
        (filler ? Mlx5Prm.MprqFillerMask : 0) | ((uint)strides << Mlx5Prm.MprqStrideCountShift) | (uint)length;
}

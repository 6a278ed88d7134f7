using System.Buffers.Binary;

namespace Junction.Wire;

/// <summary>The ARP packet for Ethernet hardware and IPv4 protocol addresses (RFC 826).</summary>
internal static class ArpPacket
{
    /// <summary>Length of an Ethernet/IPv4 ARP packet.</summary>
    public const int Length = 28;

    private const ushort HardwareEthernet = 1;

    /// <summary>
    /// Reads an ARP packet. Anything but Ethernet/IPv4 address types and sizes is <see cref="WireError.Unsupported"/>;
    /// the opcode is not checked (the stack ignores opcodes it does not know).
    /// </summary>
    public static WireError TryParse(ReadOnlySpan<byte> packet, out ArpRepr repr)
    {
        repr = default;
        if (packet.Length < Length) return WireError.Truncated;
        if (BinaryPrimitives.ReadUInt16BigEndian(packet) != HardwareEthernet ||
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) != EtherType.Ipv4 ||
            packet[4] != 6 || packet[5] != 4)
        {
            return WireError.Unsupported;
        }
        repr.Operation = (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        repr.SenderMac = MacAddress.Read(packet[8..]);
        repr.SenderIp = Ipv4Address.Read(packet[14..]);
        repr.TargetMac = MacAddress.Read(packet[18..]);
        repr.TargetIp = Ipv4Address.Read(packet[24..]);
        return WireError.None;
    }

    /// <summary>Writes the 28-byte packet.</summary>
    public static void Emit(in ArpRepr repr, Span<byte> packet)
    {
        BinaryPrimitives.WriteUInt16BigEndian(packet, HardwareEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], EtherType.Ipv4);
        packet[4] = 6;
        packet[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(packet[6..], (ushort)repr.Operation);
        repr.SenderMac.Write(packet[8..]);
        repr.SenderIp.Write(packet[14..]);
        repr.TargetMac.Write(packet[18..]);
        repr.TargetIp.Write(packet[24..]);
    }
}

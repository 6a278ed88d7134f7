using System.Buffers.Binary;
using Junction.Wire;

namespace Junction.Devices.Xdp;

/// <summary>
/// The XDP program that steers frames to instances: IPv4 by destination address, ARP by target protocol address,
/// each looked up with the receive queue in a hash map whose value is the instance's slot in an XSKMAP; a hit is
/// redirected to that socket, everything else passes to the kernel so the host keeps working on the same NIC.
/// </summary>
/// <remarks>
/// Equivalent C: <c>key = { addr, ctx-&gt;rx_queue_index }; slot = lookup(&amp;steer, &amp;key); return slot ?
/// bpf_redirect_map(&amp;xsks, *slot, XDP_PASS) : XDP_PASS;</c>, with the bounds checks the verifier demands.
/// </remarks>
internal static class SteeringProgram
{
    /// <summary>XDP_PASS: hand the frame to the kernel.</summary>
    internal const int XdpPass = 2;

    /// <summary>XDP_REDIRECT: the frame went to the map target.</summary>
    internal const int XdpRedirect = 4;

    /// <summary>Size of a steering key: the IPv4 address as it appears on the wire, then the queue (host order).</summary>
    internal const int KeySize = 8;

    private const int HelperMapLookupElem = 1;
    private const int HelperRedirectMap = 51;

    // Registers.
    private const int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R6 = 6, R7 = 7, R8 = 8, R10 = 10;

    // struct xdp_md fields.
    private const short CtxData = 0, CtxDataEnd = 4, CtxRxQueueIndex = 16;

    // Frame layout: Ethernet (14), then the IPv4 destination at 16 or the ARP target protocol address at 24.
    private const short EtherTypeOffset = 12;
    private const short Ipv4DestinationOffset = 14 + 16;
    private const short ArpTargetAddressOffset = 14 + 24;

    /// <summary>Assembles the program for the given steering (hash) map and XSKMAP descriptors.</summary>
    internal static ulong[] Assemble(int steeringMapFd, int socketMapFd)
    {
        var asm = new BpfAssembler();
        int pass = asm.NewLabel(), ipv4 = asm.NewLabel(), arp = asm.NewLabel(), lookup = asm.NewLabel();

        asm.MovReg(R6, R1);
        asm.LoadWord(R2, R1, CtxData);
        asm.LoadWord(R3, R1, CtxDataEnd);
        asm.MovReg(R4, R2);
        asm.AddImm(R4, EtherTypeOffset + 2);
        asm.JumpIfGreater(R4, R3, pass);
        asm.LoadHalf(R4, R2, EtherTypeOffset);
        // Loaded little-endian: 08 00 (IPv4) reads as 0x0008, 08 06 (ARP) as 0x0608.
        asm.JumpIfEqual(R4, BinaryPrimitives.ReverseEndianness((ushort)0x0800), ipv4);
        asm.JumpIfEqual(R4, BinaryPrimitives.ReverseEndianness((ushort)0x0806), arp);
        asm.Jump(pass);

        asm.Place(ipv4);
        asm.MovReg(R4, R2);
        asm.AddImm(R4, Ipv4DestinationOffset + 4);
        asm.JumpIfGreater(R4, R3, pass);
        asm.LoadWord(R7, R2, Ipv4DestinationOffset);
        asm.Jump(lookup);

        asm.Place(arp);
        asm.MovReg(R4, R2);
        asm.AddImm(R4, ArpTargetAddressOffset + 4);
        asm.JumpIfGreater(R4, R3, pass);
        asm.LoadWord(R7, R2, ArpTargetAddressOffset);

        asm.Place(lookup);
        asm.StoreWord(R10, -8, R7);
        asm.LoadWord(R8, R6, CtxRxQueueIndex);
        asm.StoreWord(R10, -4, R8);
        asm.MovReg(R2, R10);
        asm.AddImm(R2, -8);
        asm.LoadMapFd(R1, steeringMapFd);
        asm.Call(HelperMapLookupElem);
        asm.JumpIfEqual(R0, 0, pass);
        asm.LoadWord(R2, R0, 0);
        asm.LoadMapFd(R1, socketMapFd);
        // The low bits of the flags are the action when the slot holds no socket: pass, never drop.
        asm.MovImm(R3, XdpPass);
        asm.Call(HelperRedirectMap);
        asm.Exit();

        asm.Place(pass);
        asm.MovImm(R0, XdpPass);
        asm.Exit();
        return asm.ToArray();
    }

    /// <summary>Writes the steering key for <paramref name="address"/> on <paramref name="queueId"/>.</summary>
    internal static void WriteKey(Span<byte> key, Ipv4Address address, int queueId)
    {
        address.Write(key[..4]);
        BinaryPrimitives.WriteUInt32LittleEndian(key[4..], (uint)queueId);
    }
}

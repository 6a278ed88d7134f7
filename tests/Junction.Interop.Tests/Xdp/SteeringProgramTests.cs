using Junction.Devices.Xdp;
using Junction.Wire;

namespace Junction.Interop.Tests.Xdp;

public sealed class SteeringProgramTests
{
    private static readonly Ipv4Address Instance = new(10, 77, 0, 10);
    private static readonly Ipv4Address Other = new(10, 77, 0, 99);

    [Fact]
    public void Assembler_encodes_registers_offsets_immediates_and_resolves_forward_jumps()
    {
        var asm = new BpfAssembler();
        int label = asm.NewLabel();
        asm.MovReg(6, 1);
        asm.JumpIfEqual(4, 0x0008, label);
        asm.LoadWord(2, 1, 4);
        asm.LoadMapFd(1, 7);
        asm.Place(label);
        asm.Exit();
        ulong[] program = asm.ToArray();

        Assert.Equal(0x00000000_0000_16bfUL, program[0]);
        // jeq r4, 8, +4 (over the load and the two-slot ld_imm64).
        Assert.Equal(0x00000008_0003_0415UL, program[1]);
        Assert.Equal(0x00000000_0004_1261UL, program[2]);
        Assert.Equal(0x00000007_0000_1118UL, program[3]);
        Assert.Equal(0UL, program[4]);
        Assert.Equal(0x95UL, program[5]);
    }

    [Fact]
    public void Program_redirects_ipv4_and_arp_for_a_steered_address_and_passes_everything_else()
    {
        using var veth = new VethPair();
        using var device = XdpDevice.Open(veth.Options(Instance));
        XdpInterface xdp = device.Port.Interface;
        MacAddress peer = VethPair.PeerMac;

        Assert.Equal(SteeringProgram.XdpRedirect, xdp.RunProgram(Udp(Instance)));
        Assert.Equal(SteeringProgram.XdpRedirect, xdp.RunProgram(XdpFrames.Arp(ArpOperation.Request, MacAddress.Broadcast, peer, VethPair.PeerAddress, MacAddress.Zero, Instance)));
        Assert.Equal(SteeringProgram.XdpRedirect, xdp.RunProgram(XdpFrames.Arp(ArpOperation.Reply, device.MacAddress, peer, VethPair.PeerAddress, device.MacAddress, Instance)));

        Assert.Equal(SteeringProgram.XdpPass, xdp.RunProgram(Udp(Other)));
        Assert.Equal(SteeringProgram.XdpPass, xdp.RunProgram(XdpFrames.Arp(ArpOperation.Request, MacAddress.Broadcast, peer, VethPair.PeerAddress, MacAddress.Zero, Other)));
        // ARP whose *sender* is the instance is not about reaching it.
        Assert.Equal(SteeringProgram.XdpPass, xdp.RunProgram(XdpFrames.Arp(ArpOperation.Request, MacAddress.Broadcast, peer, Instance, MacAddress.Zero, Other)));
        byte[] ipv6 = Udp(Instance);
        ipv6[12] = 0x86;
        ipv6[13] = 0xDD;
        Assert.Equal(SteeringProgram.XdpPass, xdp.RunProgram(ipv6));
        // Too short to hold the destination address: passed, never read past the end.
        Assert.Equal(SteeringProgram.XdpPass, xdp.RunProgram(Udp(Instance).AsSpan(0, 14 + 19)));
        Assert.Equal(SteeringProgram.XdpPass, xdp.RunProgram(XdpFrames.Arp(ArpOperation.Request, MacAddress.Broadcast, peer, VethPair.PeerAddress, MacAddress.Zero, Instance).AsSpan(0, 14 + 27)));
    }

    [Fact]
    public void Program_passes_a_steered_address_once_its_device_is_closed()
    {
        using var veth = new VethPair();
        using XdpInterface xdp = XdpInterface.Open(veth.Options());
        XdpPort port = xdp.OpenPort(0);
        XdpDevice device = port.AddDevice(Instance);
        Assert.Equal(SteeringProgram.XdpRedirect, xdp.RunProgram(Udp(Instance)));

        device.Dispose();

        Assert.Equal(SteeringProgram.XdpPass, xdp.RunProgram(Udp(Instance)));
    }

    [Fact]
    public void A_program_the_verifier_rejects_reports_the_verifier_log()
    {
        if (!Environment.IsPrivilegedProcess) Assert.Fail(VethPair.RootMessage);
        // Reads a packet byte without the bounds check the verifier demands.
        var asm = new BpfAssembler();
        asm.LoadWord(2, 1, 0);
        asm.LoadWord(0, 2, 0);
        asm.Exit();

        Assert.True(XdpInterface.IsVerifierRejection(asm.ToArray(), "junction_bad", out string log));

        Assert.Contains("invalid access to packet", log, StringComparison.Ordinal);
    }

    private static byte[] Udp(Ipv4Address destination) =>
        XdpFrames.Udp(VethPair.DeviceMac, VethPair.PeerMac, VethPair.PeerAddress, destination, 1234, 7, "x"u8);
}

using Junction.Devices;
using Junction.Wire;

namespace Junction.Interop.Tests.Density;

/// <summary>
/// Wraps an instance's device and inspects every frame it hands to the stack: an IPv4 frame must be addressed to
/// the instance, an ARP frame must ask about (or answer to) the instance. Anything else would be another instance's
/// traffic, which the steering program must never deliver here; such frames are counted, not dropped, so the
/// stack's own counters see them too.
/// </summary>
internal sealed class OwnTrafficDevice(INetDevice inner, Ipv4Address owner) : INetDevice
{
    public MacAddress MacAddress => inner.MacAddress;

    public int Mtu => inner.Mtu;

    public DeviceCapabilities Capabilities => inner.Capabilities;

    public FramePool Pool => inner.Pool;

    public Ipv4Address Owner => owner;

    /// <summary>IPv4 frames received, all addressed to <see cref="Owner"/>.</summary>
    public long OwnIpv4Frames { get; private set; }

    /// <summary>ARP frames received whose target is <see cref="Owner"/>.</summary>
    public long OwnArpFrames { get; private set; }

    /// <summary>Frames received that were not for <see cref="Owner"/> (the figure the test wants at zero).</summary>
    public long ForeignFrames { get; private set; }

    /// <summary>The first foreign frame's description, for the failure message.</summary>
    public string? FirstForeign { get; private set; }

    public int Receive(Span<Frame> frames)
    {
        int count = inner.Receive(frames);
        for (int i = 0; i < count; i++) Inspect(frames[i].Span);
        return count;
    }

    public int Transmit(ReadOnlySpan<Frame> frames) => inner.Transmit(frames);

    public void Dispose() => inner.Dispose();

    private void Inspect(ReadOnlySpan<byte> frame)
    {
        if (!EthernetFrame.TryParse(frame, out _, out _, out ushort etherType))
        {
            Foreign("a runt frame");
            return;
        }
        ReadOnlySpan<byte> payload = frame[EthernetFrame.HeaderLength..];
        if (etherType == EtherType.Ipv4 && Ipv4Packet.TryParse(payload, verifyChecksum: false, out Ipv4Repr ip, out _) == WireError.None)
        {
            if (ip.Destination == owner) OwnIpv4Frames++;
            else Foreign($"IPv4 {ip.Source} -> {ip.Destination}");
            return;
        }
        if (etherType == EtherType.Arp && ArpPacket.TryParse(payload, out ArpRepr arp) == WireError.None)
        {
            if (arp.TargetIp == owner) OwnArpFrames++;
            else Foreign($"ARP {arp.Operation} from {arp.SenderIp} about {arp.TargetIp}");
            return;
        }
        Foreign($"ethertype 0x{etherType:x4}");
    }

    private void Foreign(string what)
    {
        ForeignFrames++;
        FirstForeign ??= what;
    }
}

using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Tests.Stack;

/// <summary>
/// One stack on a <see cref="ChannelDevice"/>: the test plays every other host on the link, injecting frames and taking
/// what the stack transmits. Time only moves when the test moves it.
/// </summary>
internal sealed class StackHarness : IDisposable
{
    public static readonly MacAddress StackMac = MacAddress.LocallyAdministered(1);
    public static readonly Ipv4Address StackIp = new(10, 0, 0, 1);
    public static readonly MacAddress PeerMac = MacAddress.LocallyAdministered(2);
    public static readonly Ipv4Address PeerIp = new(10, 0, 0, 2);
    public static readonly MacAddress GatewayMac = MacAddress.LocallyAdministered(0xFE);
    public static readonly Ipv4Address GatewayIp = new(10, 0, 0, 254);
    public static readonly Ipv4Address SubnetBroadcast = new(10, 0, 0, 255);

    private readonly byte[] _takeBuffer;
    private bool _finished;

    public StackHarness(Action<NetStackOptions>? configure = null, int frameCount = 256)
    {
        Device = new ChannelDevice(StackMac, frameCount: frameCount, queueCapacity: frameCount);
        // Stale bytes in every frame: whatever the stack sends must be fully written, padding included.
        DirtyPool(Device.Pool);
        Options = new NetStackOptions { Address = StackIp, PrefixLength = 24, Gateway = GatewayIp, Seed = 1 };
        configure?.Invoke(Options);
        Stack = new NetStack(Device, Options, Now);
        _takeBuffer = new byte[Device.Pool.FrameSize];
    }

    public ChannelDevice Device { get; }

    public NetStackOptions Options { get; }

    public NetStack Stack { get; }

    public NetStackStatistics Statistics => Stack.Statistics;

    public Instant Now { get; private set; } = Instant.Zero;

    public FramePool Pool => Device.Pool;

    /// <summary>Polls at the current time.</summary>
    public void Poll() => Stack.Poll(Now);

    /// <summary>Moves the clock to <paramref name="time"/> and polls.</summary>
    public void PollAt(Instant time)
    {
        Now = time;
        Stack.Poll(time);
    }

    /// <summary>Hands a frame to the stack and polls at the current time.</summary>
    public void Deliver(byte[] frame)
    {
        Assert.True(Device.Inject(frame), "the channel device refused the frame");
        Poll();
    }

    /// <summary>Takes every frame the stack transmitted, oldest first.</summary>
    public List<byte[]> TakeTransmitted()
    {
        var frames = new List<byte[]>();
        while (Device.TryTakeTransmitted(_takeBuffer, out int length)) frames.Add(_takeBuffer.AsSpan(0, length).ToArray());
        return frames;
    }

    /// <summary>Takes the one frame the stack transmitted, failing if there were none or several.</summary>
    public byte[] TakeSingle() => Assert.Single(TakeTransmitted());

    public void AssertNothingTransmitted() => Assert.Equal(0, Device.TransmittedCount);

    /// <summary>Makes the stack learn <see cref="PeerMac"/> the standard way (the peer asks for the stack's address).</summary>
    public void TeachPeer() => TeachNeighbour(PeerMac, PeerIp);

    public void TeachNeighbour(MacAddress mac, Ipv4Address address)
    {
        Deliver(TestFrames.Arp(ArpOperation.Request, mac, address, MacAddress.Zero, StackIp));
        TakeSingle();
    }

    /// <summary>A UDP datagram from the peer to the stack's address.</summary>
    public static byte[] UdpFromPeer(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload) =>
        TestFrames.UdpFrame(StackMac, PeerMac, PeerIp, sourcePort, StackIp, destinationPort, payload);

    /// <summary>Disposes the stack, takes what it left on the device, and checks every frame went back to the pool.</summary>
    public void Finish()
    {
        Stack.Dispose();
        TakeTransmitted();
        _finished = true;
        Assert.Equal(0, Device.PendingReceiveCount);
        Assert.Equal(Pool.FrameCount, Pool.FreeCount);
    }

    public void Dispose()
    {
        if (!_finished) Stack.Dispose();
        Device.Dispose();
    }

    private static void DirtyPool(FramePool pool)
    {
        var frames = new Frame[pool.FrameCount];
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.True(pool.TryRent(out frames[i]));
            frames[i].Span.Fill(0xA5);
        }
        // Back in reverse so the pool hands frames out in its usual order again.
        for (int i = frames.Length - 1; i >= 0; i--) frames[i].Release();
    }
}

using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Stack;
using Junction.Stack.Tcp;
using Junction.Wire;
using static Junction.Tests.Stack.StackHarness;

namespace Junction.Tests.Stack;

/// <summary>
/// Data segments leave from the frame their payload sits in, in TCP's send buffer, with the headers written in front
/// of it; a segment whose frame something else still holds is copied. The stack runs on a channel device, which keeps
/// transmitted frames until the test takes them (a TX ring that has not completed yet).
/// </summary>
public sealed class TcpInPlaceTransmitTests : IDisposable
{
    private const int Mss = 1460;
    private static readonly TimeSpan PastRto = TimeSpan.FromSeconds(5);

    private readonly RecordingDevice _device = new(new ChannelDevice(StackMac, frameCount: 256, queueCapacity: 256));
    private readonly NetStack _stack;
    private readonly byte[] _take = new byte[2048];
    private Instant _now = Instant.FromMilliseconds(1000);
    private TcpSeq _peerSeq = new(1000);
    private TcpSeq _ourIss;

    public TcpInPlaceTransmitTests()
    {
        _stack = new NetStack(_device, new NetStackOptions { Address = StackIp, PrefixLength = 24, Seed = 1 }, _now);
    }

    private FramePool Pool => _device.Pool;

    private TcpStatistics Stats => _stack.TcpStatistics;

    public void Dispose()
    {
        _stack.Dispose();
        TakeAll();
        Assert.Equal(Pool.FrameCount, Pool.FreeCount);
        _device.Dispose();
    }

    [Fact]
    public void A_fresh_segment_leaves_from_the_frame_its_bytes_were_put_in()
    {
        TcpConnection connection = Open();
        Assert.Equal(1000, connection.Send(TestFrames.Pattern(1000)));
        Poll();

        (int index, int offset, int length) = Assert.Single(_device.Transmitted);
        int headers = EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength + TcpPacket.MinHeaderLength;
        Assert.Equal(TcpSendBuffer.HeaderRoom - headers, offset);
        Assert.Equal(headers + 1000, length);
        Assert.Equal(2, Pool.GetRefCount(index)); // the send buffer's and the device's
        Assert.Equal(1, Stats.SegmentsSentInPlace);
        Assert.Equal(0, Stats.SegmentsSentCopied);
        Assert.Equal(TestFrames.Pattern(1000), Payload(TakeSingle(), out _));
        connection.Abort();
    }

    [Fact]
    public void A_retransmission_while_the_device_still_holds_the_frame_is_copied_and_carries_the_same_bytes()
    {
        TcpConnection connection = Open();
        connection.Send(TestFrames.Pattern(1000));
        Poll();
        PollAt(_now + PastRto); // the original is still in the device's queue

        Assert.Equal(2, _device.Transmitted.Length);
        (int firstIndex, _, _) = _device.Transmitted[0];
        (int secondIndex, int secondOffset, _) = _device.Transmitted[1];
        Assert.NotEqual(firstIndex, secondIndex);
        Assert.Equal(0, secondOffset);
        Assert.Equal(1, Stats.SegmentsSentInPlace);
        Assert.Equal(1, Stats.SegmentsSentCopied);
        List<byte[]> frames = TakeAll();
        Assert.Equal(2, frames.Count);
        Assert.Equal(TestFrames.Pattern(1000), Payload(frames[0], out TcpRepr original));
        Assert.Equal(TestFrames.Pattern(1000), Payload(frames[1], out TcpRepr resent));
        Assert.Equal(original.SequenceNumber, resent.SequenceNumber);

        Deliver(Segment(TcpFlags.Ack, _ourIss + 1 + 1000));
        Assert.Equal(0, connection.SendQueued);
        connection.Abort();
    }

    [Fact]
    public void Once_the_device_let_go_a_retransmission_leaves_from_the_same_frame_again()
    {
        TcpConnection connection = Open();
        connection.Send(TestFrames.Pattern(1000));
        Poll();
        byte[] original = TakeSingle();
        PollAt(_now + PastRto);

        Assert.Equal(2, _device.Transmitted.Length);
        Assert.Equal(_device.Transmitted[0], _device.Transmitted[1]);
        Assert.Equal(2, Stats.SegmentsSentInPlace);
        Assert.Equal(0, Stats.SegmentsSentCopied);
        Assert.Equal(Payload(original, out _), Payload(TakeSingle(), out _));
        connection.Abort();
    }

    [Fact]
    public void After_a_partial_ack_the_rest_leaves_from_inside_the_same_frame()
    {
        TcpConnection connection = Open();
        connection.Send(TestFrames.Pattern(1000));
        Poll();
        TakeSingle();
        Deliver(Segment(TcpFlags.Ack, _ourIss + 1 + 400));
        Assert.Equal(600, connection.SendQueued);
        PollAt(_now + PastRto);

        Assert.Equal(2, _device.Transmitted.Length);
        (int index, int offset, _) = _device.Transmitted[0];
        (int resentIndex, int resentOffset, int resentLength) = _device.Transmitted[1];
        Assert.Equal(index, resentIndex);
        Assert.Equal(offset + 400, resentOffset);
        Assert.Equal(EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength + TcpPacket.MinHeaderLength + 600, resentLength);
        Assert.Equal(TestFrames.Pattern(1000)[400..], Payload(TakeSingle(), out TcpRepr resent));
        Assert.Equal(_ourIss + 1 + 400, resent.SequenceNumber);
        Assert.Equal(2, Stats.SegmentsSentInPlace);
        connection.Abort();
    }

    [Fact]
    public void A_segment_after_unacknowledged_bytes_of_its_frame_is_copied()
    {
        TcpConnection connection = Open();
        connection.Send(TestFrames.Pattern(600));
        Poll();
        TakeSingle();
        connection.NoDelay = true;
        connection.Send(TestFrames.Pattern(400, start: 600)); // lands in the same frame, after 600 unacknowledged bytes
        Poll();

        Assert.Equal(1, Stats.SegmentsSentInPlace);
        Assert.Equal(1, Stats.SegmentsSentCopied);
        Assert.Equal(TestFrames.Pattern(400, start: 600), Payload(TakeSingle(), out _));
        connection.Abort();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Abort_or_close_with_unacknowledged_data_gives_every_frame_back(bool abort)
    {
        TcpConnection connection = Open();
        Assert.Equal(20_000, connection.Send(TestFrames.Pattern(20_000)));
        Poll();
        Assert.True(Pool.FreeCount < Pool.FrameCount - 10);
        if (abort) connection.Abort();
        else connection.Close();
        Poll();
        if (!abort)
        {
            Deliver(Segment(TcpFlags.Rst, _ourIss + 1));
            Assert.Equal(TcpState.Closed, connection.State);
        }
        TakeAll();
        Assert.Equal(Pool.FrameCount, Pool.FreeCount);
    }

    /// <summary>Learns the peer, accepts a connection from it (MSS 1460, no other options) and returns it.</summary>
    private TcpConnection Open()
    {
        Deliver(TestFrames.Arp(ArpOperation.Request, PeerMac, PeerIp, MacAddress.Zero, StackIp));
        TakeAll();
        TcpListenEndpoint listener = _stack.TcpListen(80);
        Deliver(Segment(TcpFlags.Syn, default, mss: Mss));
        Payload(TakeSingle(), out TcpRepr synAck);
        _ourIss = synAck.SequenceNumber;
        _peerSeq += 1;
        Deliver(Segment(TcpFlags.Ack, _ourIss + 1));
        Assert.True(listener.TryAccept(out TcpConnection? connection));
        listener.Dispose();
        _device.Clear();
        return connection;
    }

    private byte[] Segment(TcpFlags flags, TcpSeq ack, int mss = 0)
    {
        var repr = new TcpRepr
        {
            SourcePort = 40000,
            DestinationPort = 80,
            SequenceNumber = _peerSeq,
            AckNumber = ack,
            Flags = flags,
            Window = 65535,
            HasMss = mss > 0,
            Mss = (ushort)mss,
        };
        var segment = new byte[TcpPacket.HeaderLength(repr)];
        TcpPacket.Emit(repr, segment);
        TcpPacket.FillChecksum(segment, PeerIp, StackIp);
        return TestFrames.Ipv4Frame(StackMac, PeerMac, PeerIp, StackIp, IpProtocol.Tcp, segment);
    }

    private static byte[] Payload(byte[] frame, out TcpRepr tcp)
    {
        byte[] segment = SentFrame.Ipv4(frame, out _, out Ipv4Repr ip);
        Assert.Equal(IpProtocol.Tcp, ip.Protocol);
        Assert.Equal(WireError.None, TcpPacket.TryParse(segment, ip.Source, ip.Destination, verifyChecksum: true, out tcp, out int headerLength));
        return segment[headerLength..];
    }

    private void Deliver(byte[] frame)
    {
        Assert.True(_device.Inner.Inject(frame));
        Poll();
    }

    private void Poll() => _stack.Poll(_now);

    private void PollAt(Instant time)
    {
        _now = time;
        _stack.Poll(time);
    }

    private byte[] TakeSingle() => Assert.Single(TakeAll());

    private List<byte[]> TakeAll()
    {
        var frames = new List<byte[]>();
        while (_device.Inner.TryTakeTransmitted(_take, out int length)) frames.Add(_take.AsSpan(0, length).ToArray());
        return frames;
    }

    /// <summary>A channel device that remembers which frame (index and window) every transmitted frame was.</summary>
    private sealed class RecordingDevice(ChannelDevice inner) : INetDevice
    {
        private readonly List<(int Index, int Offset, int Length)> _transmitted = [];

        public ChannelDevice Inner => inner;

        public (int Index, int Offset, int Length)[] Transmitted => [.. _transmitted];

        public MacAddress MacAddress => inner.MacAddress;

        public int Mtu => inner.Mtu;

        public DeviceCapabilities Capabilities => inner.Capabilities;

        public FramePool Pool => inner.Pool;

        public void Clear() => _transmitted.Clear();

        public int Receive(Span<Frame> frames) => inner.Receive(frames);

        public int Transmit(ReadOnlySpan<Frame> frames)
        {
            int accepted = inner.Transmit(frames);
            foreach (Frame frame in frames[..accepted]) _transmitted.Add((frame.Index, frame.Offset, frame.Length));
            return accepted;
        }

        public void Dispose() => inner.Dispose();
    }
}

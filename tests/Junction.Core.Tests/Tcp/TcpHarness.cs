using Junction.Devices;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Tcp;

/// <summary>One segment the layer emitted, with a copy of its payload.</summary>
internal sealed record SentSegment(Ipv4Address Source, Ipv4Address Destination, TcpRepr Header, byte[] Payload)
{
    public TcpSeq Seq => Header.SequenceNumber;
    public TcpSeq Ack => Header.AckNumber;
    public TcpFlags Flags => Header.Flags;

    public override string ToString() => $"{Flags} seq={Seq} ack={Ack} win={Header.Window} len={Payload.Length} sack={Header.SackCount}";
}

/// <summary>An <see cref="ITcpOutput"/> that records every segment.</summary>
internal sealed class RecordingOutput : ITcpOutput
{
    public List<SentSegment> Sent { get; } = [];
    public int Mss { get; set; } = 1460;

    /// <summary>The frames send buffers keep payload in.</summary>
    public FramePool FramePool { get; } = new(1024);

    public bool SendSegment(Ipv4Address source, Ipv4Address destination, in TcpRepr header, ReadOnlySpan<byte> payload1, ReadOnlySpan<byte> payload2)
    {
        byte[] bytes = new byte[payload1.Length + payload2.Length];
        payload1.CopyTo(bytes);
        payload2.CopyTo(bytes.AsSpan(payload1.Length));
        Sent.Add(new SentSegment(source, destination, header, bytes));
        return true;
    }

    public int MaxSegmentSize(Ipv4Address destination) => Mss;
}

/// <summary>
/// Drives one <see cref="TcpLayer"/> as the "stack under test" against a scripted peer (gVisor channel-endpoint
/// style): inject segments, advance simulated time, expect emitted segments.
/// </summary>
internal sealed class TcpHarness : IDisposable
{
    public static readonly Ipv4Address LocalAddress = new(10, 0, 0, 1);
    public static readonly Ipv4Address RemoteAddress = new(10, 0, 0, 2);
    public const ushort LocalPort = 80;
    public const ushort RemotePort = 40000;

    private int _next;

    public TcpHarness(Action<TcpSettings>? configure = null)
    {
        Settings = new TcpSettings();
        configure?.Invoke(Settings);
        byte[] secret = new byte[32];
        new Random(42).NextBytes(secret);
        Now = Instant.FromMilliseconds(1_000_000);
        Layer = new TcpLayer(Output, Settings, secret, Now);
    }

    public FramePool Pool { get; } = new(512);
    public RecordingOutput Output { get; } = new();
    public TcpSettings Settings { get; }
    public TcpLayer Layer { get; }
    public Instant Now { get; private set; }

    /// <summary>The peer's next sequence number (tests advance it as they send).</summary>
    public TcpSeq PeerSeq { get; set; } = new(5000);

    /// <summary>Our ISS as seen in the SYN or SYN-ACK.</summary>
    public TcpSeq OurIss { get; set; }

    public uint PeerTsVal { get; set; } = 700;

    public static TcpRepr Segment(TcpFlags flags, TcpSeq seq, TcpSeq ack, ushort window = 65535)
    {
        TcpRepr r = default;
        r.SourcePort = RemotePort;
        r.DestinationPort = LocalPort;
        r.SequenceNumber = seq;
        r.AckNumber = ack;
        r.Flags = flags;
        r.Window = window;
        return r;
    }

    public void Inject(in TcpRepr segment, ReadOnlySpan<byte> payload = default, Ipv4Address? source = null)
    {
        Assert.True(Pool.TryRent(out Frame frame));
        Frame window = frame.WithWindow(64, payload.Length);
        payload.CopyTo(window.Span);
        Layer.Receive(source ?? RemoteAddress, LocalAddress, segment, window, Now);
        frame.Release();
    }

    public void Advance(TimeSpan by)
    {
        Now += by;
        Layer.Poll(Now);
    }

    public void Poll() => Layer.Poll(Now);

    /// <summary>Runs the layer's timers up to <paramref name="until"/> the way a driver would (deadline by deadline).</summary>
    public void RunUntil(Instant until)
    {
        while (true)
        {
            Instant next = Layer.NextDeadline;
            if (next > until) break;
            Now = Instant.Max(Now, next);
            Layer.Poll(Now);
        }
        Now = until;
        Layer.Poll(Now);
    }

    public IReadOnlyList<SentSegment> TakeAll()
    {
        var list = Output.Sent.Skip(_next).ToList();
        _next = Output.Sent.Count;
        return list;
    }

    public SentSegment Expect(TcpFlags flags, TcpSeq? seq = null, TcpSeq? ack = null, int? length = null)
    {
        Assert.True(_next < Output.Sent.Count, $"expected {flags} but nothing was sent");
        SentSegment s = Output.Sent[_next++];
        Assert.True(s.Flags == flags, $"expected {flags}, got {s}");
        if (seq is { } q) Assert.True(s.Seq == q, $"expected seq {q}, got {s}");
        if (ack is { } a) Assert.True(s.Ack == a, $"expected ack {a}, got {s}");
        if (length is { } l) Assert.True(s.Payload.Length == l, $"expected length {l}, got {s}");
        return s;
    }

    public void ExpectNothing()
    {
        Assert.True(_next == Output.Sent.Count, _next < Output.Sent.Count ? $"unexpected {Output.Sent[_next]}" : "");
    }

    public TcpRepr PeerSyn(bool mss = true, bool ws = true, bool sack = true, bool ts = true)
    {
        TcpRepr syn = Segment(TcpFlags.Syn, PeerSeq, default);
        if (mss)
        {
            syn.HasMss = true;
            syn.Mss = 1460;
        }
        if (ws)
        {
            syn.HasWindowScale = true;
            syn.WindowScale = 7;
        }
        syn.SackPermitted = sack;
        if (ts)
        {
            syn.HasTimestamp = true;
            syn.TsVal = PeerTsVal;
        }
        return syn;
    }

    /// <summary>A segment from the peer continuing the connection (ACK of our <paramref name="ack"/>), with TS if negotiated.</summary>
    public TcpRepr PeerAck(TcpSeq ack, TcpFlags extra = TcpFlags.None, ushort window = 65535, bool ts = true)
    {
        TcpRepr r = Segment(TcpFlags.Ack | extra, PeerSeq, ack, window);
        if (ts)
        {
            r.HasTimestamp = true;
            r.TsVal = ++PeerTsVal;
            r.TsEcr = LastTsVal;
        }
        return r;
    }

    public uint LastTsVal => Output.Sent.Count == 0 ? 0 : Output.Sent[^1].Header.TsVal;

    /// <summary>Passive open through a listener on port 80; returns the accepted connection.</summary>
    public TcpConnection AcceptConnection(bool ws = true, bool sack = true, bool ts = true, ushort peerWindow = 65535, TimeSpan handshakeRtt = default)
    {
        TcpListenEndpoint listener = Listener ??= Layer.Listen(Ipv4Address.Any, LocalPort, 16);
        Inject(PeerSyn(ws: ws, sack: sack, ts: ts));
        SentSegment synAck = Expect(TcpFlags.Syn | TcpFlags.Ack, ack: PeerSeq + 1);
        OurIss = synAck.Seq;
        PeerSeq += 1;
        if (handshakeRtt > TimeSpan.Zero) Advance(handshakeRtt);
        Inject(PeerAck(OurIss + 1, window: peerWindow, ts: ts));
        ExpectNothing();
        Assert.True(listener.TryAccept(out TcpConnection? connection));
        Assert.Equal(TcpState.Established, connection.State);
        return connection;
    }

    public TcpListenEndpoint? Listener { get; set; }

    /// <summary>Peer sends <paramref name="length"/> bytes of a known pattern; returns the bytes.</summary>
    public byte[] PeerSend(int length, TcpFlags extra = TcpFlags.None, bool ts = true, bool advance = true, TcpSeq? ackOverride = null)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte)(PeerSeq.Value + (uint)i);
        TcpRepr r = PeerAck(ackOverride ?? OurIss + 1, TcpFlags.Psh | extra, ts: ts);
        Inject(r, data);
        if (advance) PeerSeq += length + ((extra & TcpFlags.Fin) != 0 ? 1 : 0);
        return data;
    }

    public void Dispose()
    {
        Listener?.Dispose();
        Layer.Dispose();
        Assert.Equal(Pool.FrameCount, Pool.FreeCount);
        Assert.Equal(Output.FramePool.FrameCount, Output.FramePool.FreeCount);
        Pool.Dispose();
        Output.FramePool.Dispose();
    }
}

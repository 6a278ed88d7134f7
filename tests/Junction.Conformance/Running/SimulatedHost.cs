using System.Diagnostics;
using Junction.Devices.Memory;
using Junction.Stack;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Conformance.Running;

/// <summary>
/// The Junction instance under test (192.168.0.1/24 on a <see cref="ChannelDevice"/>) and the simulated clock.
/// The scripted peer 192.0.2.1 sits behind the gateway 192.168.0.2, whose ARP entry is taught before the script
/// starts and whose ARP requests are answered at once, so scripts only ever see TCP.
/// </summary>
internal sealed class SimulatedHost : IDisposable
{
    public static readonly Ipv4Address LocalAddress = new(192, 168, 0, 1);
    public static readonly Ipv4Address RemoteAddress = new(192, 0, 2, 1);
    public static readonly Ipv4Address GatewayAddress = new(192, 168, 0, 2);
    public static readonly MacAddress LocalMac = MacAddress.LocallyAdministered(1);
    public static readonly MacAddress GatewayMac = MacAddress.LocallyAdministered(2);

    private const int MaxPollsAtOneInstant = 10_000;
    private readonly byte[] _scratch = new byte[65536];
    private readonly Queue<WireSegment> _outbound = new();
    private readonly Stopwatch _wallClock = Stopwatch.StartNew();
    private readonly TimeSpan _wallClockLimit;
    private readonly long _simulatedLimitMicros;
    private readonly Instant _start = Instant.FromMilliseconds(1_000);

    public SimulatedHost(TcpSettings settings, TimeSpan wallClockLimit, long simulatedLimitMicros)
    {
        Settings = settings;
        _wallClockLimit = wallClockLimit;
        _simulatedLimitMicros = simulatedLimitMicros;
        Device = new ChannelDevice(LocalMac, mtu: 1500, frameCount: 4096, frameSize: 2048, queueCapacity: 4096);
        var options = new NetStackOptions
        {
            Address = LocalAddress,
            PrefixLength = 24,
            Gateway = GatewayAddress,
            Seed = 1,
            ArpCacheTimeout = TimeSpan.FromDays(3650),
            Tcp = settings,
        };
        Now = _start;
        Stack = new NetStack(Device, options, Now);
        InjectArp(ArpOperation.Request, LocalAddress, MacAddress.Zero);
        Poll();
        _outbound.Clear();
    }

    public ChannelDevice Device { get; }

    public NetStack Stack { get; }

    public TcpSettings Settings { get; }

    public Instant Now { get; private set; }

    /// <summary>Script time: microseconds since the script's time 0.</summary>
    public long ScriptNow => Now.Microseconds - _start.Microseconds;

    public int PendingOutbound => _outbound.Count;

    /// <summary>Called after every poll, so that blocked calls can complete at the instant they become possible.</summary>
    public Action? AfterPoll { get; set; }

    /// <summary>A time (script microseconds) the runner itself must be woken at, such as a poll() timeout.</summary>
    public long ExternalDeadline { get; set; } = long.MaxValue;

    /// <summary>Line of the event being run, for limit messages.</summary>
    public int CurrentLine { get; set; }

    public bool TryTakeOutbound(out WireSegment segment) => _outbound.TryDequeue(out segment!);

    public WireSegment? PeekOutbound() => _outbound.TryPeek(out WireSegment? s) ? s : null;

    /// <summary>Runs the stack at the current instant (after a call or an injected segment).</summary>
    public void Poll()
    {
        CheckWallClock();
        Stack.Poll(Now);
        Collect();
        AfterPoll?.Invoke();
    }

    /// <summary>Advances simulated time to <paramref name="scriptMicros"/>, firing every timer on the way at its own instant.</summary>
    public void AdvanceTo(long scriptMicros) => AdvanceUntil(scriptMicros, static () => false);

    /// <summary>
    /// Advances time step by step (timer deadlines) up to <paramref name="scriptMicros"/>, stopping early at the first
    /// instant where <paramref name="done"/> holds. Returns whether it did.
    /// </summary>
    public bool AdvanceUntil(long scriptMicros, Func<bool> done)
    {
        if (done()) return true;
        Instant target = new(_start.Microseconds + scriptMicros);
        int pollsHere = 0;
        Instant last = Now;
        while (true)
        {
            Instant next = Stack.NextDeadline;
            if (ExternalDeadline != long.MaxValue) next = Instant.Min(next, new Instant(_start.Microseconds + ExternalDeadline));
            if (next > target) break;
            if (next < Now) next = Now;
            if (next == last)
            {
                if (++pollsHere > MaxPollsAtOneInstant)
                    throw new ScriptFailure(CurrentLine, $"the stack keeps asking to be polled at {FormatTime(ScriptNow)} without making progress");
            }
            else
            {
                pollsHere = 0;
                last = next;
            }
            SetNow(next);
            Poll();
            if (done()) return true;
        }
        if (target > Now)
        {
            SetNow(target);
            Poll();
        }
        return done();
    }

    private void SetNow(Instant value)
    {
        Now = value;
        if (ScriptNow > _simulatedLimitMicros)
            throw new ScriptFailure(CurrentLine, $"simulated time limit of {FormatTime(_simulatedLimitMicros)} reached");
    }

    private void CheckWallClock()
    {
        if (_wallClock.Elapsed > _wallClockLimit)
            throw new ScriptFailure(CurrentLine, $"wall-clock limit of {_wallClockLimit.TotalSeconds:0} s reached");
    }

    /// <summary>Hands a frame from the scripted peer to the device; the next <see cref="Poll"/> processes it.</summary>
    public void InjectFromPeer(ReadOnlySpan<byte> ipPacket)
    {
        Span<byte> frame = _scratch.AsSpan(0, EthernetFrame.HeaderLength + ipPacket.Length);
        EthernetFrame.Emit(frame, LocalMac, GatewayMac, EtherType.Ipv4);
        ipPacket.CopyTo(frame[EthernetFrame.HeaderLength..]);
        if (!Device.Inject(frame))
            throw new ScriptFailure(CurrentLine, $"the device refused a {frame.Length}-byte frame (larger than its {Device.Pool.FrameSize}-byte buffers, or its queue is full)");
    }

    private void InjectArp(ArpOperation operation, Ipv4Address target, MacAddress targetMac)
    {
        Span<byte> frame = stackalloc byte[60];
        frame.Clear();
        EthernetFrame.Emit(frame, operation == ArpOperation.Request ? MacAddress.Broadcast : LocalMac, GatewayMac, EtherType.Arp);
        var arp = new ArpRepr
        {
            Operation = operation,
            SenderMac = GatewayMac,
            SenderIp = GatewayAddress,
            TargetMac = targetMac,
            TargetIp = target,
        };
        ArpPacket.Emit(arp, frame.Slice(EthernetFrame.HeaderLength, ArpPacket.Length));
        Device.Inject(frame);
    }

    private void Collect()
    {
        bool answeredArp = false;
        while (Device.TryTakeTransmitted(_scratch, out int length))
        {
            ReadOnlySpan<byte> frame = _scratch.AsSpan(0, length);
            if (!EthernetFrame.TryParse(frame, out _, out _, out ushort etherType)) continue;
            ReadOnlySpan<byte> packet = frame[EthernetFrame.HeaderLength..];
            if (etherType == EtherType.Arp)
            {
                if (ArpPacket.TryParse(packet, out ArpRepr arp) == WireError.None && arp.Operation == ArpOperation.Request && arp.TargetIp == GatewayAddress)
                {
                    InjectArp(ArpOperation.Reply, LocalAddress, LocalMac);
                    answeredArp = true;
                }
                continue;
            }
            if (etherType != EtherType.Ipv4) continue;
            if (Ipv4Packet.TryParse(packet, true, out Ipv4Repr ip, out int ipHeader) != WireError.None)
                throw new ScriptFailure(CurrentLine, "the stack sent a malformed IPv4 packet (bad header or checksum)");
            if (ip.Protocol != IpProtocol.Tcp)
                throw new ScriptFailure(CurrentLine, $"the stack sent an unexpected IP protocol {ip.Protocol} packet to {ip.Destination}");
            ReadOnlySpan<byte> segment = packet.Slice(ipHeader, ip.PayloadLength);
            if (TcpPacket.TryParse(segment, ip.Source, ip.Destination, true, out _, out _) is var error && error != WireError.None)
                throw new ScriptFailure(CurrentLine, $"the stack sent a TCP segment that does not parse: {error}");
            if (ip.Destination != RemoteAddress || ip.Source != LocalAddress)
                throw new ScriptFailure(CurrentLine, $"the stack sent a TCP segment {ip.Source} > {ip.Destination}, expected {LocalAddress} > {RemoteAddress}");
            _outbound.Enqueue(WireSegment.Parse(ScriptNow, segment, (byte)(ip.Tos & 3)));
        }
        if (answeredArp)
        {
            Stack.Poll(Now);
            Collect();
        }
    }

    public static string FormatTime(long micros) => (micros / 1_000_000.0).ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Stack.Dispose();
        Device.Dispose();
    }
}

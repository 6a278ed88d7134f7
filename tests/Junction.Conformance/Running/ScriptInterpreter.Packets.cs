using System.Text;
using Junction.Conformance.Parsing;
using Junction.Wire;

namespace Junction.Conformance.Running;

internal sealed partial class ScriptInterpreter
{
    private const ushort FirstRemotePort = 40000;

    private readonly Dictionary<(ushort Local, ushort Remote), ConnectionContext> _contexts = [];
    private ConnectionContext? _underTest;
    private ushort? _listeningPort;
    private ushort _nextRemotePort = FirstRemotePort;
    private ushort _ipIdentification;

    private ConnectionContext Context(ushort local, ushort remote)
    {
        if (!_contexts.TryGetValue((local, remote), out ConnectionContext? context))
        {
            context = new ConnectionContext(local, remote);
            _contexts.Add((local, remote), context);
        }
        return context;
    }

    /// <summary>
    /// The connection an inbound packet without explicit ports belongs to: as in packetdrill, a SYN while the socket
    /// under test listens opens a new connection from a new remote port; anything else goes to the socket under test.
    /// </summary>
    private ConnectionContext InboundContext(TcpPacketSpec packet)
    {
        if (packet.SourcePort is int src)
        {
            ushort local = (ushort)(packet.DestinationPort ?? _listeningPort ?? DefaultPort);
            ConnectionContext explicitContext = Context(local, (ushort)src);
            _underTest = explicitContext;
            _listeningPort = null;
            return explicitContext;
        }
        bool syn = (packet.Flags & (SegmentFlags.Syn | SegmentFlags.Ack)) == SegmentFlags.Syn;
        if ((syn && _listeningPort is not null) || _underTest is null)
        {
            ushort local = _listeningPort ?? DefaultPort;
            _underTest = Context(local, _nextRemotePort++);
            _listeningPort = null;
        }
        return _underTest;
    }

    private void InjectPacket(TcpPacketSpec packet, int line)
    {
        ConnectionContext context = InboundContext(packet);
        bool syn = (packet.Flags & SegmentFlags.Syn) != 0;
        bool ack = (packet.Flags & SegmentFlags.Ack) != 0;
        if (syn && !ack && context.RemoteOffset is null)
        {
            // The peer's ISN: far from the script's numbers so that unmapped values stand out.
            context.RemoteOffset = unchecked(0x4000_0000u * (uint)(_contexts.Count % 4 + 1) + 0x1234u);
        }
        uint remoteOffset = context.RemoteOffset ?? 0;
        uint localOffset = context.LocalOffset ?? 0;
        uint seq = unchecked(packet.StartSequence + remoteOffset);
        uint ackNumber = ack ? unchecked(packet.AckNumber + localOffset) : packet.AckNumber;
        byte[] options = SegmentEncoder.EncodeOptions(packet.Options ?? [], s => unchecked(s + localOffset), ecr =>
        {
            if (!ack) return ecr;
            if (context.TryMapEcr(ecr, out uint live)) return live;
            throw new ScriptFailure(line, $"unable to infer live TS ecr for script TS ecr {ecr}; no matching or preceding outbound TS val");
        }, line);

        int tcpLength = 20 + options.Length + packet.PayloadLength;
        byte[] ipPacket = new byte[Ipv4Packet.MinHeaderLength + tcpLength];
        Span<byte> segment = ipPacket.AsSpan(Ipv4Packet.MinHeaderLength);
        SegmentEncoder.WriteHeader(segment, context.RemotePort, context.LocalPort, seq, ackNumber, packet.Flags,
            (ushort)(packet.Window ?? 0), (ushort)packet.UrgentPointer, options);
        TcpPacket.FillChecksum(segment, SimulatedHost.RemoteAddress, SimulatedHost.LocalAddress);
        var ip = new Ipv4Repr
        {
            Source = SimulatedHost.RemoteAddress,
            Destination = SimulatedHost.LocalAddress,
            Protocol = IpProtocol.Tcp,
            Ttl = (byte)(packet.Ip.Ttl ?? 64),
            PayloadLength = tcpLength,
            Identification = _ipIdentification++,
            DontFragment = true,
            Tos = (byte)(((packet.Ip.Tos ?? 0) & ~3) | EcnBits(packet.Ip.Ecn)),
        };
        Ipv4Packet.Emit(ip, ipPacket.AsSpan(0, Ipv4Packet.MinHeaderLength));
        _host.InjectFromPeer(ipPacket);
        _host.Poll();
    }

    private static int EcnBits(EcnSpec ecn) => ecn switch
    {
        EcnSpec.Ect1 => 1,
        EcnSpec.Ect0 => 2,
        EcnSpec.Ce => 3,
        _ => 0,
    };

    private void ExpectPacket(TcpPacketSpec packet, ScriptEvent e, long start, long end)
    {
        bool any = e.Time.Kind == TimeKind.Any;
        long tolerance = Tolerance(_lastEventTime, start);
        long latest = any ? _runnerOptions.SimulatedTimeLimitMicros : end + tolerance;
        long earliest = any ? long.MinValue : start - tolerance;
        if (!_host.AdvanceUntil(Math.Max(latest, _host.ScriptNow), () => _host.PendingOutbound > 0))
        {
            throw new ScriptFailure(e.Line,
                $"expected outbound packet {FormatScript(packet)} at {SimulatedHost.FormatTime(start)} sec, but the stack sent nothing by {SimulatedHost.FormatTime(_host.ScriptNow)} sec");
        }
        _host.TryTakeOutbound(out WireSegment actual);
        if (!_strictSegments && actual.PayloadLength > 0 && actual.PayloadLength < packet.PayloadLength)
            actual = Aggregate(actual, packet.PayloadLength, latest);
        ConnectionContext context = Context(actual.SourcePort, actual.DestinationPort);
        bool syn = (actual.Flags & SegmentFlags.Syn) != 0;
        if (syn && context.LocalOffset is null) context.LocalOffset = unchecked(actual.Sequence - packet.StartSequence);
        uint localOffset = context.LocalOffset ?? 0;
        uint remoteOffset = context.RemoteOffset ?? 0;
        uint seq = unchecked(actual.Sequence - localOffset);
        uint ack = (actual.Flags & SegmentFlags.Ack) != 0 ? unchecked(actual.Ack - remoteOffset) : actual.Ack;
        string actualText = FormatActual(actual, seq, ack, remoteOffset, context);

        if (actual.TimeMicros < earliest)
        {
            Fail(e.Line, $"timing error: expected outbound packet at {SimulatedHost.FormatTime(start)} sec but happened at {SimulatedHost.FormatTime(actual.TimeMicros)} sec; tolerance {SimulatedHost.FormatTime(tolerance)} sec", packet, actualText);
        }
        if (packet.SourcePort is int sp && sp != actual.SourcePort) Fail(e.Line, $"bad source port: expected {sp} actual {actual.SourcePort}", packet, actualText);
        if (packet.DestinationPort is int dp && dp != actual.DestinationPort) Fail(e.Line, $"bad destination port: expected {dp} actual {actual.DestinationPort}", packet, actualText);
        foreach ((SegmentFlags flag, string name) in FlagNames)
        {
            bool expected = (packet.Flags & flag) != 0, got = (actual.Flags & flag) != 0;
            if (expected != got) Fail(e.Line, $"bad outbound TCP {name} flag: expected {(expected ? 1 : 0)} actual {(got ? 1 : 0)}", packet, actualText);
        }
        if (seq != packet.StartSequence) Fail(e.Line, $"bad outbound TCP sequence number: expected {packet.StartSequence} actual {seq}", packet, actualText);
        if (actual.PayloadLength != packet.PayloadLength) Fail(e.Line, $"bad outbound TCP payload length: expected {packet.PayloadLength} actual {actual.PayloadLength}", packet, actualText);
        if (ack != packet.AckNumber) Fail(e.Line, $"bad outbound TCP ack number: expected {packet.AckNumber} actual {ack}", packet, actualText);
        if (packet.Window is int window && window != actual.Window) Fail(e.Line, $"bad outbound TCP window: expected {window} actual {actual.Window}", packet, actualText);
        if (packet.UrgentPointer != actual.UrgentPointer) Fail(e.Line, $"bad outbound TCP urgent pointer: expected {packet.UrgentPointer} actual {actual.UrgentPointer}", packet, actualText);
        if (packet.Ip.Ecn != EcnSpec.Unspecified)
        {
            bool ok = packet.Ip.Ecn == EcnSpec.Ect01 ? actual.Ecn is 1 or 2 : actual.Ecn == EcnBits(packet.Ip.Ecn);
            if (!ok) Fail(e.Line, $"bad outbound ECN codepoint: expected {packet.Ip.Ecn} actual {actual.Ecn}", packet, actualText);
        }
        if (packet.Options is { } options) CheckOptions(e.Line, packet, options, actual, remoteOffset, context, start, actualText);
    }

    /// <summary>
    /// Like packetdrill without --strict_segments: a script packet larger than one segment (written for TSO/GSO)
    /// matches consecutive segments of the same connection whose payloads add up to it.
    /// </summary>
    private WireSegment Aggregate(WireSegment first, int expectedPayload, long latest)
    {
        WireSegment last = first;
        int total = first.PayloadLength;
        SegmentFlags pushFin = first.Flags & (SegmentFlags.Psh | SegmentFlags.Fin);
        while (total < expectedPayload)
        {
            if (!_host.AdvanceUntil(Math.Max(latest, _host.ScriptNow), () => _host.PendingOutbound > 0)) break;
            WireSegment next = _host.PeekOutbound()!;
            if (next.SourcePort != first.SourcePort || next.DestinationPort != first.DestinationPort || next.PayloadLength == 0
                || next.Sequence != unchecked(last.Sequence + (uint)last.PayloadLength)
                || (next.Flags & ~(SegmentFlags.Psh | SegmentFlags.Fin)) != (first.Flags & ~(SegmentFlags.Psh | SegmentFlags.Fin)))
            {
                break;
            }
            _host.TryTakeOutbound(out next);
            pushFin |= next.Flags & (SegmentFlags.Psh | SegmentFlags.Fin);
            total += next.PayloadLength;
            last = next;
        }
        return last == first ? first : last with
        {
            TimeMicros = first.TimeMicros,
            Sequence = first.Sequence,
            PayloadLength = total,
            Flags = (last.Flags & ~(SegmentFlags.Psh | SegmentFlags.Fin)) | pushFin,
        };
    }

    private static readonly (SegmentFlags, string)[] FlagNames =
    [
        (SegmentFlags.Syn, "SYN"), (SegmentFlags.Fin, "FIN"), (SegmentFlags.Rst, "RST"), (SegmentFlags.Psh, "PSH"),
        (SegmentFlags.Ack, "ACK"), (SegmentFlags.Urg, "URG"), (SegmentFlags.Ece, "ECE"), (SegmentFlags.Cwr, "CWR"),
        (SegmentFlags.Ae, "AE"),
    ];

    private void CheckOptions(int line, TcpPacketSpec packet, IReadOnlyList<TcpOptionSpec> expected, WireSegment actual, uint remoteOffset,
        ConnectionContext context, long expectedTime, string actualText)
    {
        if (expected.Count != actual.Options.Count)
            Fail(line, $"bad outbound TCP options: expected {expected.Count} options <{string.Join(",", expected)}> actual {actual.Options.Count}", packet, actualText);
        for (int i = 0; i < expected.Count; i++)
        {
            TcpOptionSpec want = expected[i];
            WireOption got = actual.Options[i];
            string? problem = want switch
            {
                NopOption => got.Kind == 1 ? null : "nop",
                EolOption => got.Kind == 0 ? null : "eol",
                MssOption mss => got.Kind == 2 && got.Data.Length == 2 && (got.Data[0] << 8 | got.Data[1]) == mss.Mss ? null : mss.ToString(),
                WindowScaleOption ws => got.Kind == 3 && got.Data.Length == 1 && got.Data[0] == ws.Shift ? null : ws.ToString(),
                SackPermittedOption => got.Kind == 4 && got.Data.Length == 0 ? null : "sackOK",
                SackOption sack => SackMatches(sack, got, remoteOffset) ? null : sack.ToString(),
                TimestampOption ts => CheckTimestamp(ts, got, context, expectedTime),
                UnsupportedOption other => throw ScriptFailure.NotSupported(line, $"TCP option '{other.Text}'"),
                _ => want.ToString(),
            };
            if (problem is not null)
                Fail(line, $"bad outbound TCP option {i + 1}: expected {problem}", packet, actualText);
        }
    }

    private static bool SackMatches(SackOption sack, WireOption got, uint remoteOffset)
    {
        if (got.Kind != 5 || got.Data.Length != 8 * sack.Blocks.Count) return false;
        for (int b = 0; b < sack.Blocks.Count; b++)
        {
            uint left = unchecked(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(got.Data.AsSpan(8 * b)) - remoteOffset);
            uint right = unchecked(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(got.Data.AsSpan(8 * b + 4)) - remoteOffset);
            if (left != sack.Blocks[b].Left || right != sack.Blocks[b].Right) return false;
        }
        return true;
    }

    private string? CheckTimestamp(TimestampOption ts, WireOption got, ConnectionContext context, long expectedTime)
    {
        if (got.Kind != 8 || got.Data.Length != 8) return ts.ToString();
        context.MapTsVal(ts.Value, got.TsVal);
        if (_tsTickMicros > 0)
        {
            uint scriptTerms = unchecked(context.FirstScriptTsVal + (got.TsVal - context.FirstLiveTsVal));
            long deviation = Math.Abs((long)unchecked((int)(scriptTerms - ts.Value))) * _tsTickMicros;
            long tolerance = Math.Max(_toleranceMicros, (long)(_tolerancePercent / 100.0 * expectedTime));
            if (deviation > tolerance) return $"{ts} (TS val off by {deviation} us, tolerance {tolerance} us)";
        }
        if (_checkTsEcr && got.TsEcr != ts.Echo) return $"{ts} (TS ecr {got.TsEcr})";
        return null;
    }

    private static void Fail(int line, string message, TcpPacketSpec packet, string actual) =>
        throw new ScriptFailure(line, $"{message}\n    script packet: {FormatScript(packet)}\n    actual packet: {actual}");

    private static string FormatScript(TcpPacketSpec p)
    {
        var text = new StringBuilder("> ");
        text.Append(p.FlagsText.Length == 0 ? "-" : p.FlagsText).Append(' ')
            .Append(p.StartSequence).Append(':').Append(unchecked(p.StartSequence + (uint)p.PayloadLength)).Append('(').Append(p.PayloadLength).Append(')');
        if ((p.Flags & SegmentFlags.Ack) != 0 || p.AckNumber != 0) text.Append(" ack ").Append(p.AckNumber);
        if (p.Window is int w) text.Append(" win ").Append(w);
        if (p.UrgentPointer != 0) text.Append(" urg ").Append(p.UrgentPointer);
        if (p.Options is null) text.Append(" <...>");
        else if (p.Options.Count > 0) text.Append(" <").Append(string.Join(",", p.Options)).Append('>');
        return text.ToString();
    }

    private static string FormatActual(WireSegment s, uint seq, uint ack, uint remoteOffset, ConnectionContext context)
    {
        var text = new StringBuilder();
        text.Append(SimulatedHost.FormatTime(s.TimeMicros)).Append(" > ").Append(WireSegment.FormatFlags(s.Flags)).Append(' ')
            .Append(seq).Append(':').Append(unchecked(seq + (uint)s.PayloadLength)).Append('(').Append(s.PayloadLength).Append(')');
        if ((s.Flags & SegmentFlags.Ack) != 0 || ack != 0) text.Append(" ack ").Append(ack);
        text.Append(" win ").Append(s.Window);
        if (s.UrgentPointer != 0) text.Append(" urg ").Append(s.UrgentPointer);
        if (s.Options.Count > 0)
        {
            var parts = new List<string>();
            foreach (WireOption o in s.Options)
            {
                parts.Add(o.Kind switch
                {
                    0 => "eol",
                    1 => "nop",
                    2 when o.Data.Length == 2 => $"mss {o.Data[0] << 8 | o.Data[1]}",
                    3 when o.Data.Length == 1 => $"wscale {o.Data[0]}",
                    4 => "sackOK",
                    5 => "sack " + string.Join(' ', Enumerable.Range(0, o.Data.Length / 8).Select(b =>
                        $"{unchecked(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(o.Data.AsSpan(8 * b)) - remoteOffset)}:{unchecked(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(o.Data.AsSpan(8 * b + 4)) - remoteOffset)}")),
                    8 when o.Data.Length == 8 => $"TS val {o.TsVal} ecr {o.TsEcr}",
                    _ => $"kind {o.Kind} len {o.Data.Length + 2}",
                });
            }
            text.Append(" <").Append(string.Join(",", parts)).Append('>');
        }
        text.Append($" ({context})");
        return text.ToString();
    }
}

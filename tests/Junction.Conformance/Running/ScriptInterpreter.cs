using System.Globalization;
using Junction.Conformance.Parsing;
using Junction.Stack.Tcp;

namespace Junction.Conformance.Running;

/// <summary>
/// Runs a parsed script against a fresh Junction instance in simulated time, event by event, the way packetdrill
/// runs one against the kernel: inbound packets are injected at their time, outbound ones must appear within the
/// tolerance and match field by field, system calls must return what the script says.
/// </summary>
internal sealed partial class ScriptInterpreter : IDisposable
{
    private const ushort DefaultPort = 8080;

    private readonly Script _script;
    private readonly RunnerOptions _runnerOptions;
    private readonly SimulatedHost _host;
    private readonly List<string> _notes = [];
    private readonly string _directory;
    private long _toleranceMicros = 4000;
    private double _tolerancePercent = 12.5;
    private int _tsTickMicros;
    private bool _checkTsEcr;
    private bool _strictSegments;

    // Time of the previous event (script microseconds, after making relative times absolute) and whether it was inbound.
    private long _lastEventTime;
    private bool _lastWasInbound;
    private bool _started;

    public ScriptInterpreter(Script script, RunnerOptions options)
    {
        _script = script;
        _runnerOptions = options;
        _directory = Path.GetDirectoryName(Path.GetFullPath(script.Path)) ?? ".";
        var settings = new TcpSettings();
        _host = new SimulatedHost(settings, options.WallClockLimit, options.SimulatedTimeLimitMicros);
        _host.AfterPoll = CheckBlockedCall;
    }

    public IReadOnlyList<string> Notes => _notes;

    public void Run()
    {
        ApplyOptions();
        foreach (ScriptEvent e in _script.Events)
        {
            _host.CurrentLine = e.Line;
            RunEvent(e);
        }
        if (_blocked is not null)
        {
            // A blocking call still outstanding at the end must still return as the script says.
            BlockedCall call = _blocked;
            _host.CurrentLine = call.Line;
            long deadline = (call.EndMicros ?? _host.ScriptNow) + Tolerance(call.StartMicros, call.EndMicros ?? _host.ScriptNow);
            if (!_host.AdvanceUntil(Math.Max(deadline, _host.ScriptNow), () => _blocked is null))
                throw new ScriptFailure(call.Line, $"{call.Name}() was still blocked at the end of the script ({SimulatedHost.FormatTime(_host.ScriptNow)} s)");
        }
    }

    private void ApplyOptions()
    {
        foreach (ScriptOption option in _script.Options)
        {
            switch (option.Name)
            {
                case "tolerance_usecs": _toleranceMicros = ParseLong(option); break;
                case "tolerance_percent": _tolerancePercent = double.Parse(option.Value ?? "0", CultureInfo.InvariantCulture); break;
                case "tcp_ts_tick_usecs": _tsTickMicros = (int)ParseLong(option); break;
                case "tcp_ts_ecr_scaled": break; // inbound TS ecr values are always mapped (or interpolated) from what the stack sent
                case "junction_check_ts_ecr": _checkTsEcr = true; break;
                case "strict_segments": _strictSegments = true; break;
                case "ip_version" when option.Value == "ipv4": break;
                case "bind_port" or "connect_port" or "local_ip" or "remote_ip" or "gateway_ip" or "netmask_ip":
                    _notes.Add($"--{option.Name}={option.Value} (addresses and ports are fixed: 192.168.0.1:8080 / 192.0.2.1)");
                    break;
                default:
                    _notes.Add($"--{option.Name}" + (option.Value is null ? "" : "=" + option.Value));
                    break;
            }
        }
    }

    private static long ParseLong(ScriptOption option) =>
        long.TryParse(option.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new ScriptFailure(option.Line, $"--{option.Name} needs an integer value");

    private void RunEvent(ScriptEvent e)
    {
        if (e.Time.Kind == TimeKind.None)
        {
            RunCommand((CommandEvent)e);
            return;
        }
        if (!_started)
        {
            // packetdrill resolves the first event's time from 0, so "+0" is as good as "0".
            if (e.Time.Kind is not (TimeKind.Absolute or TimeKind.Relative) || e.Time.Micros != 0)
                throw new ScriptFailure(e.Line, "first event should be at time 0");
            _started = true;
        }
        bool inbound = e is PacketEvent { Packet.Direction: PacketDirection.Inbound };
        // Consecutive inbound packets are anchored to each other's script times; everything else to "now".
        long offset = _lastWasInbound && inbound ? _lastEventTime : _host.ScriptNow;
        (long start, long end) = e.Time.Kind switch
        {
            TimeKind.Absolute => (e.Time.Micros, e.Time.Micros),
            TimeKind.Relative => (offset + e.Time.Micros, offset + e.Time.Micros),
            TimeKind.AbsoluteRange => (e.Time.Micros, e.Time.EndMicros),
            TimeKind.RelativeRange => (offset + e.Time.Micros, offset + e.Time.EndMicros),
            _ => (_host.ScriptNow, long.MaxValue),
        };

        switch (e)
        {
            case PacketEvent { Packet: TcpPacketSpec packet } when packet.Direction == PacketDirection.Inbound:
                WaitForEventTime(e, start);
                InjectPacket(packet, e.Line);
                break;
            case PacketEvent { Packet: TcpPacketSpec packet }:
                ExpectPacket(packet, e, start, end);
                break;
            case PacketEvent { Packet: UdpPacketSpec }:
                throw ScriptFailure.NotSupported(e.Line, "UDP packets");
            case PacketEvent { Packet: IcmpPacketSpec }:
                throw ScriptFailure.NotSupported(e.Line, "ICMP packets");
            case SyscallEvent call:
                WaitForIdleSyscallThread();
                WaitForEventTime(e, start);
                RunSyscall(call, start, e.Time.Kind == TimeKind.Relative ? offset : 0);
                break;
            case CommandEvent command:
                WaitForEventTime(e, start);
                RunCommand(command);
                break;
            case CodeEvent code:
                WaitForEventTime(e, start);
                RunCode(code);
                break;
            default:
                throw new InvalidOperationException(e.ToString());
        }
        _lastEventTime = e.Time.Kind == TimeKind.Any ? _host.ScriptNow : start;
        _lastWasInbound = inbound;
    }

    /// <summary>Advances to the event's time; fails if the script is already late for it (packetdrill's timing check).</summary>
    private void WaitForEventTime(ScriptEvent e, long time)
    {
        if (_host.ScriptNow > time + Tolerance(_lastEventTime, time))
        {
            throw new ScriptFailure(e.Line,
                $"timing error: expected {Describe(e)} at {SimulatedHost.FormatTime(time)} sec but it could only start at {SimulatedHost.FormatTime(_host.ScriptNow)} sec");
        }
        _host.AdvanceTo(Math.Max(time, _host.ScriptNow));
    }

    private static string Describe(ScriptEvent e) => e switch
    {
        PacketEvent p => p.Packet.Direction == PacketDirection.Inbound ? "inbound packet" : "outbound packet",
        SyscallEvent s => $"system call {s.Call.Name}()",
        _ => "command",
    };

    /// <summary>packetdrill's tolerance: a fixed floor, or a percentage of the time since the previous event.</summary>
    private long Tolerance(long previous, long expected)
    {
        long dynamic = (long)(_tolerancePercent / 100.0 * Math.Max(0, expected - previous));
        return Math.Max(_toleranceMicros, dynamic);
    }

    private void RunCommand(CommandEvent command)
    {
        foreach (string problem in Knobs.RunCommand(_host.Settings, command.CommandLine, _directory))
        {
            if (_runnerOptions.Strict) throw ScriptFailure.NotSupported(command.Line, problem);
            _notes.Add($"line {command.Line}: {problem}");
        }
    }

    public void Dispose() => _host.Dispose();
}

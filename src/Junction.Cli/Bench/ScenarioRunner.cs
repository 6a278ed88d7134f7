using System.Net;
using Junction.Cli.Hosting;
using Junction.Cli.Linux;
using Junction.Cli.Load;
using Junction.Cli.Results;
using Junction.Cli.Services;
using Junction.Lab;
using Junction.Wire;

namespace Junction.Cli.Bench;

/// <summary>
/// Runs one scenario against Linux and then against Junction on the same target, with the same load. Linux goes
/// first, with no XDP program on the link (the kernel as normally deployed); the Junction server exists only while
/// its own load runs, so its poll thread never competes with the Linux run. http-plaintext serves one ASP.NET Core
/// app on both sides: on Kestrel's Sockets transport, then on its Junction transport (<c>UseJunction</c>).
/// </summary>
internal static class ScenarioRunner
{
    public static async Task<ScenarioResult> RunAsync(IBenchTarget target, Scenario scenario, BenchSettings settings, Action<string> status, CancellationToken cancellationToken)
    {
        status($"{Scenarios.Name(scenario)}: Linux");
        SideFigures linux = await RunLinuxAsync(target, scenario, settings, cancellationToken).ConfigureAwait(false);
        status($"{Scenarios.Name(scenario)}: Junction");
        (SideFigures junction, SideFigures? junctionToJunction) = await RunJunctionAsync(target, scenario, settings, status, cancellationToken).ConfigureAwait(false);
        int connections = scenario == Scenario.UdpPps ? Request(target.LinuxAddress, scenario, settings).UdpSenders : settings.ConnectionsFor(scenario);
        return new ScenarioResult(scenario, junction, linux) { Connections = connections, JunctionToJunction = junctionToJunction };
    }

    private static async Task<SideFigures> RunLinuxAsync(IBenchTarget target, Scenario scenario, BenchSettings settings, CancellationToken cancellationToken)
    {
        ushort port = Scenarios.Port(scenario);
        LoadRequest request = Request(target.LinuxAddress, scenario, settings);
        string where = target.Lab is null ? "loopback" : $"the kernel stack in {target.Lab.Server.Namespace}";
        if (scenario == Scenario.HttpPlaintext)
        {
            await using KestrelPlaintextServer kestrel = await KestrelPlaintextServer.StartAsync(target.Lab, target.LinuxAddress, port).ConfigureAwait(false);
            MeasuredLoad load = await target.RunLoadAsync(request, false, static () => { }, static () => { }, cancellationToken).ConfigureAwait(false);
            return Figures(scenario, load, null, target, $"ASP.NET Core Kestrel (Sockets transport) on {where}");
        }
        using LinuxServer server = scenario switch
        {
            Scenario.TcpRr => LinuxServer.Echo(target.Lab, LabSide.Server, target.LinuxAddress, port),
            Scenario.TcpBulk => LinuxServer.Discard(target.Lab, LabSide.Server, target.LinuxAddress, port),
            _ => LinuxServer.UdpCounter(target.Lab, LabSide.Server, target.LinuxAddress, port),
        };
        var counter = new WindowCounter(() => server.Received);
        MeasuredLoad measured = await target.RunLoadAsync(request, false, counter.Start, counter.End, cancellationToken).ConfigureAwait(false);
        string kind = scenario switch
        {
            Scenario.TcpRr => "echo",
            Scenario.TcpBulk => "discard",
            _ => "UDP discard",
        };
        return Figures(scenario, measured, counter.Delta, target, $"System.Net.Sockets {kind} server (thread per connection) on {where}");
    }

    private static async Task<(SideFigures Junction, SideFigures? JunctionToJunction)> RunJunctionAsync(IBenchTarget target, Scenario scenario, BenchSettings settings, Action<string> status, CancellationToken cancellationToken)
    {
        ushort port = Scenarios.Port(scenario);
        if (scenario == Scenario.HttpPlaintext)
        {
            // The same ASP.NET Core app as the Linux side, on Kestrel's Junction transport.
            await using JunctionKestrelServer kestrel = await JunctionKestrelServer.StartAsync(target.JunctionAddress, port, options => target.ConfigureTransport(options, settings.Host)).ConfigureAwait(false);
            MeasuredLoad load = await target.RunLoadAsync(Request(target.JunctionAddress, scenario, settings), true, static () => { }, static () => { }, cancellationToken).ConfigureAwait(false);
            return (Figures(scenario, load, null, target, $"ASP.NET Core Kestrel (Junction transport, UseJunction) on {target.TransportDescription}, runtime kthreads park when idle"), null);
        }
        using JunctionHost host = target.OpenJunction(settings.Host);
        Func<long> received = () => 0;
        string kind;
        switch (scenario)
        {
            case Scenario.TcpRr:
                host.Thread.Invoke(() => new EchoService(host.Stack, port));
                kind = "echo server";
                break;
            case Scenario.TcpBulk:
                DiscardService discard = host.Thread.Invoke(() => new DiscardService(host.Stack, port));
                received = () => discard.Received;
                kind = "discard server";
                break;
            default:
                UdpCounter udp = host.Thread.Invoke(() => new UdpCounter(host.Stack, port));
                host.Thread.AddPoller(_ => udp.Poll());
                received = () => udp.Received;
                kind = "UDP discard";
                break;
        }
        var counter = new WindowCounter(received);
        MeasuredLoad measured = await target.RunLoadAsync(Request(target.JunctionAddress, scenario, settings), true, counter.Start, counter.End, cancellationToken).ConfigureAwait(false);
        string polling = settings.Host.YieldWhenIdle ? "poll thread yields when idle" : "busy-polling thread";
        SideFigures figures = Figures(scenario, measured, counter.Delta, target, $"Junction {kind} on {host.Description}, {polling}");
        if (scenario != Scenario.TcpRr) return (figures, null);
        status($"{Scenarios.Name(scenario)}: Junction↔Junction");
        return (figures, JunctionToJunction(target, host, port, settings, $"Junction {kind} on {host.Description}, {polling}", cancellationToken));
    }

    /// <summary>
    /// tcp-rr between two Junction stacks: a client instance on its own poll thread pings the server instance that
    /// the Linux client just measured, one 64-byte round trip outstanding, for the same warm-up and duration.
    /// </summary>
    private static SideFigures JunctionToJunction(IBenchTarget target, JunctionHost server, ushort port, BenchSettings settings, string serverDescription, CancellationToken cancellationToken)
    {
        // The client never captures: --pcap records the server instance only.
        using JunctionHost client = target.OpenJunctionClient(settings.Host with { PcapPath = null });
        JunctionPinger pinger = client.Thread.Invoke(() => new JunctionPinger(client.Stack, server.Address, port, settings.Warmup, settings.Duration));
        client.Thread.AddPoller(_ => pinger.Poll());
        var deadline = DateTime.UtcNow + settings.Warmup + settings.Duration + TimeSpan.FromSeconds(10);
        while (!pinger.IsFinished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Junction↔Junction round trips stalled: {client.Thread.Invoke(pinger.Describe)}.");
            Thread.Sleep(10);
        }
        LatencyHistogram histogram = pinger.Histogram;
        return new SideFigures
        {
            Rps = histogram.Count / pinger.Seconds,
            P50Us = histogram.Percentile(50),
            P99Us = histogram.Percentile(99),
            Server = serverDescription,
            Generator = $"Junction TCP client on {client.Description} at {client.Address}, round trips from its poll thread",
        };
    }

    private static LoadRequest Request(Ipv4Address address, Scenario scenario, BenchSettings settings) =>
        new(scenario, new IPEndPoint(address.ToIPAddress(), Scenarios.Port(scenario)), settings.ConnectionsFor(scenario), settings.Warmup, settings.Duration) { Pipeline = settings.Pipeline };

    private static SideFigures Figures(Scenario scenario, MeasuredLoad measured, long? received, IBenchTarget target, string server)
    {
        LoadFigures load = measured.Figures;
        double seconds = load.Seconds;
        double? cpuPer100k = measured.ServerCpuSeconds is { } cpu && load.Operations > 0 ? cpu / load.Operations * 100_000 : null;
        string generator = target.Generator(scenario);
        return scenario switch
        {
            Scenario.TcpRr or Scenario.HttpPlaintext => new SideFigures
            {
                Rps = load.OperationsPerSecond,
                P50Us = load.P50Us,
                P99Us = load.P99Us,
                ServerCpuSPer100k = cpuPer100k,
                Errors = load.Errors,
                Server = server,
                Generator = generator,
            },
            Scenario.TcpBulk => new SideFigures
            {
                Gbps = received is { } bytes && seconds > 0 ? bytes * 8 / seconds / 1e9 : null,
                Errors = load.Errors,
                Server = server,
                Generator = generator,
            },
            _ => new SideFigures
            {
                Pps = received is { } datagrams && seconds > 0 ? datagrams / seconds : null,
                OfferedPps = load.OperationsPerSecond,
                Errors = load.Errors,
                Server = server,
                Generator = generator,
            },
        };
    }

    /// <summary>Reads a receiver's counter when the measured window opens and closes.</summary>
    private sealed class WindowCounter(Func<long> read)
    {
        private long? _start;
        private long? _end;

        public long? Delta => _start is { } s && _end is { } e ? e - s : null;

        public void Start() => _start = read();

        public void End() => _end = read();
    }
}

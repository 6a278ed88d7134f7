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
/// its own load runs. Every Junction server is a <see cref="JunctionHost"/>: a runtime instance whose kthreads poll
/// while busy and park when idle, with its services as uthreads over the Sockets API — the echo, discard and UDP
/// servers of tcp-rr, tcp-bulk and udp-pps, and for http-plaintext the same ASP.NET Core app as the Linux side, on
/// Kestrel's Junction transport (<c>UseJunction</c>) instead of its Sockets transport. Server CPU is read the same
/// way on both sides: the whole process, over the measured window.
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
        LoadRequest request = Request(target.JunctionAddress, scenario, settings);
        using JunctionHost host = target.OpenJunction(settings.Host);
        if (scenario == Scenario.HttpPlaintext)
        {
            // The same ASP.NET Core app as the Linux side, on Kestrel's Junction transport over the host's instance.
            await using JunctionKestrelServer kestrel = await JunctionKestrelServer.StartAsync(host.Instance, port).ConfigureAwait(false);
            MeasuredLoad load = await target.RunLoadAsync(request, true, static () => { }, static () => { }, cancellationToken).ConfigureAwait(false);
            return (Figures(scenario, load, null, target, $"ASP.NET Core Kestrel (Junction transport, UseJunction) on {host.Description}"), null);
        }
        switch (scenario)
        {
            case Scenario.TcpRr:
            {
                EchoService echo = new(host.Instance, port);
                await using (echo.ConfigureAwait(false))
                {
                    SideFigures figures = await MeasureAsync(target, scenario, request, () => 0, $"Junction echo server (pipes, a uthread per connection) on {host.Description}", cancellationToken).ConfigureAwait(false);
                    ThrowIfFailed(echo.Failure);
                    status($"{Scenarios.Name(scenario)}: Junction↔Junction");
                    SideFigures pair = await JunctionToJunctionAsync(target, host, port, settings, figures.Server, cancellationToken).ConfigureAwait(false);
                    ThrowIfFailed(echo.Failure);
                    return (figures, pair);
                }
            }
            case Scenario.TcpBulk:
            {
                DiscardService discard = new(host.Instance, port);
                await using (discard.ConfigureAwait(false))
                {
                    SideFigures figures = await MeasureAsync(target, scenario, request, () => discard.Received, $"Junction discard server (pipes, a uthread per connection) on {host.Description}", cancellationToken).ConfigureAwait(false);
                    ThrowIfFailed(discard.Failure);
                    return (figures, null);
                }
            }
            default:
            {
                UdpCounter udp = new(host.Instance, port);
                await using (udp.ConfigureAwait(false))
                {
                    return (await MeasureAsync(target, scenario, request, () => udp.Received, $"Junction UDP discard (JunctionSocket receive loop, a uthread) on {host.Description}", cancellationToken).ConfigureAwait(false), null);
                }
            }
        }
    }

    private static async Task<SideFigures> MeasureAsync(IBenchTarget target, Scenario scenario, LoadRequest request, Func<long> received, string server, CancellationToken cancellationToken)
    {
        var counter = new WindowCounter(received);
        MeasuredLoad measured = await target.RunLoadAsync(request, true, counter.Start, counter.End, cancellationToken).ConfigureAwait(false);
        return Figures(scenario, measured, counter.Delta, target, server);
    }

    private static void ThrowIfFailed(Exception? failure)
    {
        if (failure is not null) throw new InvalidOperationException("A Junction server connection failed: " + failure.Message, failure);
    }

    /// <summary>
    /// tcp-rr between two Junction stacks: a client instance on its own runtime pings the server instance that the
    /// Linux client just measured, one 64-byte round trip outstanding, for the same warm-up and duration.
    /// </summary>
    private static async Task<SideFigures> JunctionToJunctionAsync(IBenchTarget target, JunctionHost server, ushort port, BenchSettings settings, string serverDescription, CancellationToken cancellationToken)
    {
        // The client never captures: --pcap records the server instance only.
        using JunctionHost client = target.OpenJunctionClient(settings.Host with { PcapPath = null });
        var endpoint = new IPEndPoint(server.Address.ToIPAddress(), port);
        TimeSpan limit = settings.Warmup + settings.Duration + TimeSpan.FromSeconds(10);
        Task<LatencyHistogram> pinging = client.Run(() => JunctionPinger.RunAsync(client.Instance, endpoint, settings.Warmup, settings.Duration, cancellationToken));
        LatencyHistogram histogram;
        try
        {
            histogram = await pinging.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Junction↔Junction round trips stalled: no end within {limit.TotalSeconds:F0} s.");
        }
        return new SideFigures
        {
            Rps = histogram.Count / settings.Duration.TotalSeconds,
            P50Us = histogram.Percentile(50),
            P99Us = histogram.Percentile(99),
            Server = serverDescription,
            Generator = $"Junction TCP client (pipes, a uthread) on {client.Description} at {client.Address}",
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
                ServerCpuSPerGb = measured.ServerCpuSeconds is { } cpuSeconds && received is { } payload && payload > 0 ? cpuSeconds / payload * 1e9 : null,
                Errors = load.Errors,
                Server = server,
                Generator = generator,
            },
            _ => new SideFigures
            {
                Pps = received is { } datagrams && seconds > 0 ? datagrams / seconds : null,
                ServerCpuSPer100k = measured.ServerCpuSeconds is { } cpuSeconds && received is { } counted && counted > 0 ? cpuSeconds / counted * 100_000 : null,
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

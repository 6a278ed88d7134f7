using System.CommandLine;
using System.Globalization;
using Junction.Cli.Hosting;
using Junction.Cli.Services;
using Junction.Devices.Xdp;
using Junction.Lab;
using Junction.Wire;

namespace Junction.Cli.Commands;

/// <summary>
/// <c>junction serve http|echo|discard</c>: a Junction instance on an AF_XDP socket serving one protocol until
/// Ctrl-C or SIGTERM, so curl, wrk, ping or any client can reach it from the lab's client side. The instance runs
/// on the runtime: its kthreads poll while clients keep it busy and park in epoll when idle (no CPU).
/// </summary>
internal static class ServeCommand
{
    public static Command Build()
    {
        var protocol = new Argument<string>("protocol") { Description = "http (plaintext \"Hello, World!\"), echo (TCP, RFC 862) or discard (TCP and UDP, RFC 863)." };
        protocol.AcceptOnlyFromAmong("http", "echo", "discard");
        var lab = new Option<string?>("--lab", "-l") { Description = "Serve in this lab's server namespace, on its Junction address." };
        var port = new Option<int?>("--port", "-p") { Description = "The port (default: 80 for http, 7 for echo, 9 for discard)." };
        var iface = new Option<string?>("--interface", "-i") { Description = "Instead of --lab: the interface whose queue 0 to serve on (in this process's namespace)." };
        var ip = new Option<string?>("--ip") { Description = "With --interface: the instance's ADDRESS/PREFIX, e.g. 10.0.0.1/24 (an address the kernel does not own)." };
        var pcap = new Option<string?>("--pcap") { Description = "Write every frame the instance receives and sends to this pcap file (tcpdump cannot see them)." };
        var mode = XdpModeOption();
        var kthreads = KthreadsOption();
        var spin = SpinOption();
        var command = new Command("serve", "Run a Junction instance serving http, echo or discard until interrupted (root).")
        {
            protocol, lab, port, iface, ip, pcap, mode, kthreads, spin,
        };
        command.SetAction((parse, cancellationToken) => Cli.GuardAsync(() => RunAsync(
            parse.GetValue(protocol)!, parse.GetValue(lab), parse.GetValue(port), parse.GetValue(iface), parse.GetValue(ip), parse.GetValue(pcap),
            Settings(parse.GetValue(mode), parse.GetValue(pcap), parse.GetValue(kthreads), parse.GetValue(spin)), cancellationToken)));
        return command;
    }

    public static Option<int> KthreadsOption() =>
        new("--kthreads") { Description = "The most kthreads the Junction instance runs on at once (more are granted only while one cannot keep up).", DefaultValueFactory = _ => new HostSettings().MaxKthreads };

    public static Option<double> SpinOption() =>
        new("--spin-us") { Description = "Microseconds an idle Junction kthread keeps polling (yielding between polls) before it parks in epoll; 0 parks at once.", DefaultValueFactory = _ => HostSettings.DefaultSpinBeforePark.TotalMicroseconds };

    /// <summary>The host settings the options give; out-of-range values fail with one sentence.</summary>
    public static HostSettings Settings(XdpAttachMode mode, string? pcap, int kthreads, double spinMicroseconds)
    {
        if (kthreads is < 1 or > 64) throw new ArgumentException($"--kthreads takes 1 to 64 ({kthreads} is not).");
        if (!(spinMicroseconds >= 0 && spinMicroseconds <= 1_000_000)) throw new ArgumentException($"--spin-us takes 0 to 1000000 microseconds ({spinMicroseconds} is not).");
        return new HostSettings { AttachMode = mode, PcapPath = pcap, MaxKthreads = kthreads, SpinBeforePark = TimeSpan.FromMicroseconds(spinMicroseconds) };
    }

    public static Option<XdpAttachMode> XdpModeOption() =>
        new("--xdp-mode") { Description = "How the XDP program attaches: Auto (native if the driver has it), Native or Generic.", DefaultValueFactory = _ => XdpAttachMode.Auto };

    public static ushort DefaultPort(string protocol) => protocol switch
    {
        "http" => 80,
        "echo" => 7,
        _ => 9,
    };

    private static async Task<int> RunAsync(string protocol, string? labName, int? port, string? interfaceName, string? ip, string? pcap, HostSettings settings, CancellationToken cancellationToken)
    {
        Cli.RequireRoot("junction serve");
        if ((labName is null) == (interfaceName is null))
            throw new ArgumentException("Say where to serve: --lab NAME (see 'junction lab up'), or --interface IF --ip ADDRESS/PREFIX.");
        ushort listenPort = checked((ushort)(port ?? DefaultPort(protocol)));
        JunctionLab? lab = null;
        JunctionHost host;
        string hint;
        try
        {
            if (labName is not null)
            {
                lab = JunctionLab.Open(labName);
                host = JunctionHost.OpenXdp(lab, lab.JunctionAddress, settings);
                string portSuffix = protocol == "http" && listenPort == 80 ? "" : ":" + listenPort.ToString(CultureInfo.InvariantCulture);
                hint = protocol switch
                {
                    "http" => $"ip netns exec {lab.Client.Namespace} curl http://{lab.JunctionAddress}{portSuffix}/",
                    "echo" => $"ip netns exec {lab.Client.Namespace} nc {lab.JunctionAddress} {listenPort}",
                    _ => $"ip netns exec {lab.Client.Namespace} sh -c 'head -c 100M /dev/zero | nc -q1 {lab.JunctionAddress} {listenPort}'",
                };
            }
            else
            {
                (Ipv4Address address, int prefix) = ParseCidr(ip ?? throw new ArgumentException("--interface needs --ip ADDRESS/PREFIX."));
                host = JunctionHost.OpenXdp(interfaceName!, null, address, prefix, settings);
                hint = $"ping {address}";
            }
        }
        catch
        {
            lab?.Dispose();
            throw;
        }
        using (lab)
        using (host)
        {
            IAsyncDisposable service = await StartServiceAsync(host, protocol, listenPort).ConfigureAwait(false);
            Console.WriteLine($"Serving {protocol} on {host.Address}:{listenPort} ({host.Description}). Ctrl-C stops.");
            foreach (string note in host.Notes) Console.WriteLine("note: " + note);
            Console.WriteLine($"Try: {hint}");
            if (pcap is not null) Console.WriteLine($"Capturing to {pcap}; open it with Wireshark or 'tcpdump -r {pcap}'.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: the normal way to stop.
            }
            await service.DisposeAsync().ConfigureAwait(false);
            Console.WriteLine(("Stopped. " + Counters(service)).TrimEnd());
        }
        return 0;
    }

    private static async Task<IAsyncDisposable> StartServiceAsync(JunctionHost host, string protocol, ushort port)
    {
        switch (protocol)
        {
            case "http":
                return await JunctionKestrelServer.StartAsync(host.Instance, port).ConfigureAwait(false);
            case "echo":
                return new EchoService(host.Instance, port);
            default:
                var tcp = new DiscardService(host.Instance, port);
                try
                {
                    return new DiscardPair(tcp, new UdpCounter(host.Instance, port));
                }
                catch
                {
                    await tcp.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
        }
    }

    private static string Counters(IAsyncDisposable service) => service switch
    {
        EchoService echo => $"{echo.Accepted} connections, {echo.Echoed} bytes echoed.",
        DiscardPair discard => $"{discard.Tcp.Received} TCP bytes and {discard.Udp.Received} UDP datagrams discarded.",
        _ => "",
    };

    /// <summary>discard serves TCP and UDP on the same port.</summary>
    private sealed record DiscardPair(DiscardService Tcp, UdpCounter Udp) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Tcp.DisposeAsync().ConfigureAwait(false);
            await Udp.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static (Ipv4Address Address, int PrefixLength) ParseCidr(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix is < 0 or > 32)
            throw new ArgumentException($"--ip takes ADDRESS/PREFIX, e.g. 10.0.0.1/24 ('{text}' is not).");
        return (Ipv4Address.Parse(parts[0]), prefix);
    }
}

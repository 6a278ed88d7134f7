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
/// Ctrl-C or SIGTERM, so curl, wrk, ping or any client can reach it from the lab's client side.
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
        var command = new Command("serve", "Run a Junction instance serving http, echo or discard until interrupted (root).")
        {
            protocol, lab, port, iface, ip, pcap, mode,
        };
        command.SetAction((parse, cancellationToken) => Cli.GuardAsync(() => RunAsync(
            parse.GetValue(protocol)!, parse.GetValue(lab), parse.GetValue(port), parse.GetValue(iface), parse.GetValue(ip), parse.GetValue(pcap),
            new HostSettings { AttachMode = parse.GetValue(mode), PcapPath = parse.GetValue(pcap) }, cancellationToken)));
        return command;
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
            Func<string> counters = StartService(host, protocol, listenPort);
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
            Console.WriteLine($"Stopped. {counters()}");
        }
        return 0;
    }

    private static Func<string> StartService(JunctionHost host, string protocol, ushort port)
    {
        switch (protocol)
        {
            case "http":
                HttpService http = host.Thread.Invoke(() => new HttpService(host.Stack, port));
                return () => $"{http.Requests} requests answered.";
            case "echo":
                host.Thread.Invoke(() => new EchoService(host.Stack, port));
                return () => "";
            default:
                DiscardService tcp = host.Thread.Invoke(() => new DiscardService(host.Stack, port));
                UdpCounter udp = host.Thread.Invoke(() => new UdpCounter(host.Stack, port));
                host.Thread.AddPoller(_ => udp.Poll());
                return () => $"{tcp.Received} TCP bytes and {udp.Received} UDP datagrams discarded.";
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

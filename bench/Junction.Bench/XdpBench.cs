using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Junction.Devices.Xdp;
using Junction.Lab;
using Junction.Wire;

namespace Junction.Bench;

/// <summary>
/// The AF_XDP benchmark over the veth lab (root): 64-byte TCP round trips (Junction server with a Linux client,
/// Junction with Junction, Linux with Linux), single-connection bulk receive and 64-byte UDP receive rate, Junction
/// and Linux side by side in the same run, for each XDP attach mode asked for.
/// Usage: dotnet run -c Release --project bench/Junction.Bench -- xdp [--mode native|generic|both] [--rr-count N]
/// [--bulk-mib N] [--udp-seconds N] [--udp-senders N] [--udp-send sendmmsg|send] [--idle spin|yield] [--pin on|off] [--json PATH]
/// </summary>
internal static class XdpBench
{
    private const ushort EchoPort = 7001;
    private const ushort SinkPort = 7002;
    private const ushort UdpPort = 7003;
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(120);

    public static int Run(string[] args)
    {
        XdpBenchSettings settings = XdpBenchSettings.Parse(args);
        if (!Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("The xdp benchmark needs root (network namespaces, veth, BPF, AF_XDP): run it with sudo.");
            return 2;
        }
        if (settings.Pin)
        {
            XdpAffinity.ClientCpu = 0;
            XdpAffinity.ServerCpu = Environment.ProcessorCount - 1;
        }
        var report = new XdpReport(settings);
        report.PrintHeader();

        using JunctionLab lab = JunctionLab.Create();
        Ipv4Address linuxServer = lab.ServerHostAddress ?? throw new InvalidOperationException("The lab gave the server kernel no address.");
        report.Line($"Lab: {lab.Server.Namespace}/{lab.Server.Interface} (Junction {lab.JunctionAddress}, kernel {linuxServer}) <-> " +
                    $"{lab.Client.Namespace}/{lab.Client.Interface} (kernel {lab.ClientAddress}), MTU {lab.Mtu}, 1 queue, TX checksum offload off");
        report.Line("");

        // Linux alone first, with no XDP program on the link: the kernel as it is normally deployed.
        report.Line("Linux <-> Linux (no XDP program attached) ...");
        report.Linux.RoundTrip = Measure(report, "Linux<->Linux round trips", () => LinuxRoundTrips(lab, linuxServer, settings.RoundTrips));
        report.Linux.BulkGbps = Measure(report, "bulk into Linux", () => BulkIntoLinux(lab, linuxServer, settings), double.NaN);
        report.Linux.Udp = Measure(report, "UDP into Linux", () => UdpIntoLinux(lab, linuxServer, settings));

        foreach (XdpAttachMode mode in settings.Modes)
        {
            var figures = new XdpModeFigures(mode.ToString());
            report.Modes.Add(figures);
            report.Line($"Junction, XDP attach mode {mode} ...");
            try
            {
                RunMode(lab, mode, settings, figures, report);
            }
            catch (XdpException e)
            {
                figures.Notes.Add($"mode {mode} unavailable: {e.Message}");
                report.Line($"  mode {mode} unavailable: {e.Message}");
            }
        }

        report.PrintTables();
        if (settings.JsonPath is { } path)
        {
            report.WriteJson(path);
            Console.WriteLine($"JSON written to {path}");
        }
        return 0;
    }

    private static void RunMode(JunctionLab lab, XdpAttachMode mode, XdpBenchSettings settings, XdpModeFigures figures, XdpReport report)
    {
        Ipv4Address linuxServer = lab.ServerHostAddress!.Value;
        using XdpJunctionHost server = XdpJunctionHost.Open(lab, LabSide.Server, lab.JunctionAddress, mode, settings.YieldWhenIdle);
        figures.ServerMode = server.Mode.ToString();
        figures.Notes.AddRange(server.Notes);
        XdpSinkService sink = null!;
        XdpUdpCounter udp = null!;
        server.Thread.Invoke(() =>
        {
            _ = new XdpEchoService(server.Stack, EchoPort);
            sink = new XdpSinkService(server.Stack, SinkPort);
            udp = new XdpUdpCounter(server.Stack, UdpPort);
        });
        server.Thread.AddPoller(_ => udp.Poll());
        report.Line($"  server side: {server.Mode}, UMEM on {(server.Device.Port.UsesHugePages ? "huge pages" : "normal pages")}");

        figures.JunctionServerLinuxClient = Measure(report, "Junction server <- Linux client round trips", () =>
        {
            using Socket client = XdpLinuxPeers.ConnectTcp(lab, LabSide.Client, server.Address, EchoPort);
            return XdpAffinity.RunPinned(XdpAffinity.ClientCpu, () => XdpLinuxPeers.PingPong(client, settings.RoundTrips / 10, settings.RoundTrips).ToFigure());
        });
        long idleBefore = 0, iterationsBefore = 0;
        figures.BulkGbps = Measure(report, "bulk into Junction", () =>
        {
            (idleBefore, iterationsBefore) = server.Thread.Invoke(() => (server.Thread.IdleIterations, server.Thread.Iterations));
            var probe = new XdpThroughputProbe(settings.BulkWarmupBytes, settings.BulkBytes);
            server.Thread.Invoke(() => sink.Probe = probe);
            using Socket sender = XdpLinuxPeers.ConnectTcp(lab, LabSide.Client, server.Address, SinkPort);
            SendBulk(sender, settings);
            if (!SpinUntil(() => probe.IsComplete, Stall))
                throw new TimeoutException($"Junction received {probe.Received} of {settings.BulkWarmupBytes + settings.BulkBytes} bytes; {Describe(server)}");
            return probe.GigabitsPerSecond;
        }, double.NaN);
        (long idleAfter, long iterationsAfter) = server.Thread.Invoke(() => (server.Thread.IdleIterations, server.Thread.Iterations));
        figures.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"bulk into Junction: {100.0 * (idleAfter - idleBefore) / Math.Max(1, iterationsAfter - iterationsBefore):F1}% of {iterationsAfter - iterationsBefore} poll iterations found no frame"));
        XdpDeviceStatistics device = server.Device.Statistics;
        figures.Notes.Add($"after the bulk transfer: XSK {Describe(server.Device.GetSocketStatistics())}; device fill wake-ups {device.FillWakeups}, TX kicks {device.TransmitKicks}; {Describe(server)}");
        figures.Udp = Measure(report, "UDP into Junction", () =>
            UdpRate(lab, server.Address, settings, () => udp.Received));
        figures.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"server stack: {server.Stack.Statistics.FramesReceived} frames in, {server.Stack.Statistics.FramesSent} out, UDP socket queue drops {udp.QueueDrops}, XSK {Describe(server.Device.GetSocketStatistics())}, fill {Describe(server.Device.Port.GetSocketStatistics())}"));

        // Junction on the client side too: its program passes everything but its own address to the client kernel.
        using XdpJunctionHost client = XdpJunctionHost.Open(lab, LabSide.Client, lab.GetJunctionAddress(1), mode, settings.YieldWhenIdle);
        figures.ClientMode = client.Mode.ToString();
        figures.Notes.AddRange(client.Notes);
        report.Line($"  client side: {client.Mode} for {client.Address}; the client kernel keeps {lab.ClientAddress}");
        figures.LinuxLinuxWithXdp = Measure(report, "Linux<->Linux round trips with both programs attached", () => LinuxRoundTrips(lab, linuxServer, settings.RoundTrips));
        figures.ClientKernelWorksWithXdp = figures.LinuxLinuxWithXdp is not null && Measure<bool>(report, "Linux client -> Junction server with the client program attached", () =>
        {
            using Socket check = XdpLinuxPeers.ConnectTcp(lab, LabSide.Client, server.Address, EchoPort);
            return XdpAffinity.RunPinned(XdpAffinity.ClientCpu, () => XdpLinuxPeers.PingPong(check, 0, 100).Count == 100);
        }) == true;
        figures.JunctionJunction = Measure(report, "Junction<->Junction round trips", () =>
        {
            XdpJunctionPinger pinger = client.Thread.Invoke(() => new XdpJunctionPinger(client.Stack, server.Address, EchoPort, settings.RoundTrips / 10, settings.RoundTrips));
            client.Thread.AddPoller(_ => pinger.Poll());
            if (!SpinUntil(() => pinger.IsFinished, Stall))
                throw new TimeoutException($"Junction<->Junction stalled: {client.Thread.Invoke(pinger.Describe)}; server {Describe(server)}; client {Describe(client)}");
            return pinger.Histogram.ToFigure();
        });
    }

    private static LatencyFigure LinuxRoundTrips(JunctionLab lab, Ipv4Address server, int count)
    {
        using Socket listener = XdpLinuxPeers.Listen(lab, LabSide.Server, server, EchoPort);
        Thread echo = XdpLinuxPeers.StartEchoServer(listener);
        LatencyFigure figure;
        using (Socket client = XdpLinuxPeers.ConnectTcp(lab, LabSide.Client, server, EchoPort))
            figure = XdpAffinity.RunPinned(XdpAffinity.ClientCpu, () => XdpLinuxPeers.PingPong(client, count / 10, count).ToFigure());
        echo.Join();
        return figure;
    }

    private static double BulkIntoLinux(JunctionLab lab, Ipv4Address server, XdpBenchSettings settings)
    {
        var probe = new XdpThroughputProbe(settings.BulkWarmupBytes, settings.BulkBytes);
        using Socket listener = XdpLinuxPeers.Listen(lab, LabSide.Server, server, SinkPort);
        Thread sink = XdpLinuxPeers.StartSink(listener, probe);
        using (Socket sender = XdpLinuxPeers.ConnectTcp(lab, LabSide.Client, server, SinkPort)) SendBulk(sender, settings);
        if (!sink.Join(Stall)) throw new TimeoutException($"Linux received {probe.Received} bytes only.");
        return probe.GigabitsPerSecond;
    }

    private static UdpFigure UdpIntoLinux(JunctionLab lab, Ipv4Address server, XdpBenchSettings settings)
    {
        using Socket socket = XdpLinuxPeers.Create(lab, LabSide.Server, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new System.Net.IPEndPoint(server.ToIPAddress(), UdpPort));
        var received = new StrongBox<long>();
        var stop = new StrongBox<bool>();
        Thread receiver = XdpLinuxPeers.StartUdpReceiver(socket, received, stop);
        try
        {
            return UdpRate(lab, server, settings, () => Volatile.Read(ref received.Value));
        }
        finally
        {
            Volatile.Write(ref stop.Value, true);
            receiver.Join();
        }
    }

    /// <summary>Blasts 64-byte datagrams at <paramref name="target"/>; after a warm-up, counts what the receiver got over the measured seconds.</summary>
    private static UdpFigure UdpRate(JunctionLab lab, Ipv4Address target, XdpBenchSettings settings, Func<long> received)
    {
        using var blaster = new XdpUdpBlaster(lab, target, UdpPort, settings.UdpSenders, settings.UdpBatched);
        Thread.Sleep(500);
        long r0 = received(), s0 = blaster.Sent, t0 = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(settings.UdpSeconds));
        long r1 = received(), s1 = blaster.Sent;
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        if (r1 == r0) throw new InvalidOperationException($"The receiver got nothing ({s1 - s0} datagrams sent).");
        return new UdpFigure((r1 - r0) / seconds, (s1 - s0) / seconds);
    }

    private static void SendBulk(Socket sender, XdpBenchSettings settings)
    {
        sender.SendTimeout = (int)Stall.TotalMilliseconds;
        XdpAffinity.RunPinned(XdpAffinity.ClientCpu, () =>
        {
            XdpLinuxPeers.SendBulk(sender, settings.BulkWarmupBytes + settings.BulkBytes);
            return true;
        });
    }

    private static bool SpinUntil(Func<bool> condition, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(1);
        }
        return true;
    }

    private static string Describe(XdpJunctionHost host) => host.Thread.Invoke(() =>
    {
        var s = host.Stack.Statistics;
        var t = host.Stack.TcpStatistics;
        return string.Create(CultureInfo.InvariantCulture,
            $"{host.Address}: frames in {s.FramesReceived} out {s.FramesSent}, tx drops {s.TransmitDrops}, no-frame drops {s.NoFrameDrops}, connections {host.Stack.TcpConnectionCount}, tcp segments in {t.SegmentsReceived} out {t.SegmentsSent} retransmitted {t.SegmentsRetransmitted} (RTO {t.RetransmissionTimeouts}, fast {t.FastRetransmits}), dropped out-of-window {t.DroppedOutOfWindow} invalid {t.DroppedInvalid}");
    });

    private static string Describe(XdpSocketStatistics s) =>
        string.Create(CultureInfo.InvariantCulture, $"rx dropped {s.RxDropped}, rx ring full {s.RxRingFull}, fill empty {s.RxFillRingEmpty}, tx invalid {s.TxInvalidDescriptors}");

    private static T? Measure<T>(XdpReport report, string what, Func<T> measure)
        where T : struct
    {
        try
        {
            T result = measure();
            report.Line($"  {what}: {result}");
            return result;
        }
        catch (Exception e) when (e is SocketException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            report.Line($"  {what} FAILED: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private static double Measure(XdpReport report, string what, Func<double> measure, double failed) =>
        Measure<double>(report, what, measure) ?? failed;
}

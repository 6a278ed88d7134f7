using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Junction.Interop.Tests.Infrastructure;
using Junction.Lab;

namespace Junction.Interop.Tests.Lab;

public sealed class JunctionLabTests
{
    private static string Ip(params string[] arguments)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private static string[] NamespaceNames() =>
        [.. Ip("netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0])];

    private static void AssertGone(LabEndpoint side)
    {
        Assert.DoesNotContain(side.Namespace, NamespaceNames());
        Assert.DoesNotContain(side.Interface + ":", Ip("-o", "link", "show"), StringComparison.Ordinal);
        Assert.DoesNotContain(side.Interface + "@", Ip("-o", "link", "show"), StringComparison.Ordinal);
        Assert.False(File.Exists("/run/netns/" + side.Namespace));
    }

    [Fact]
    public void Create_joins_two_new_namespaces_with_a_veth_pair_and_Dispose_removes_both()
    {
        LabEndpoint server;
        LabEndpoint client;
        using (JunctionLab lab = RootRequired.CreateLab(new LabOptions { Mtu = 1400, QueueCount = 2 }))
        {
            server = lab.Server;
            client = lab.Client;
            Assert.Contains(server.Namespace, NamespaceNames());
            Assert.Contains(client.Namespace, NamespaceNames());
            Assert.NotEqual(server.Namespace, client.Namespace);
            Assert.InRange(server.Interface.Length, 1, 15);
            Assert.InRange(client.Interface.Length, 1, 15);

            string serverLink = Ip("-n", server.Namespace, "-d", "link", "show", server.Interface);
            Assert.Contains("mtu 1400", serverLink, StringComparison.Ordinal);
            Assert.Contains("veth", serverLink, StringComparison.Ordinal);
            Assert.Contains("numtxqueues 2 numrxqueues 2", serverLink, StringComparison.Ordinal);
            Assert.Contains("state UP", serverLink, StringComparison.Ordinal);
            Assert.Contains(server.MacAddress.ToString(), serverLink, StringComparison.OrdinalIgnoreCase);
            Assert.StartsWith(server.InterfaceIndex + ":", serverLink, StringComparison.Ordinal);
            Assert.Contains("state UP", Ip("-n", client.Namespace, "link", "show", client.Interface), StringComparison.Ordinal);
            Assert.NotEqual(server.MacAddress, client.MacAddress);

            // The pair lives only inside the namespaces, never in the root namespace.
            Assert.DoesNotContain(server.Interface, Ip("-o", "link", "show"), StringComparison.Ordinal);
            Assert.Equal(2, lab.QueueCount);
            Assert.Equal(1400, lab.Mtu);
        }
        AssertGone(server);
        AssertGone(client);
    }

    [Fact]
    public void Dispose_removes_the_lab_when_the_test_body_throws()
    {
        LabEndpoint? server = null;
        LabEndpoint? client = null;

        void Body()
        {
            using JunctionLab lab = RootRequired.CreateLab();
            server = lab.Server;
            client = lab.Client;
            lab.StartProcess(LabSide.Client, "sleep", "600");
            throw new InvalidOperationException("test body failed");
        }

        var thrown = Assert.Throws<InvalidOperationException>(Body);

        Assert.Equal("test body failed", thrown.Message);
        AssertGone(server!);
        AssertGone(client!);
    }

    [Fact]
    public void Create_that_fails_midway_leaves_nothing_behind()
    {
        RootRequired.Check();

        // veth refuses an MTU above 65535 after the namespaces were already added in the same batch.
        var thrown = Assert.Throws<InvalidOperationException>(() => JunctionLab.Create(new LabOptions { Mtu = 70_000 }));

        Match name = Regex.Match(thrown.Message, @"netns add (jl\d+_[0-9a-z]+)s");
        Assert.True(name.Success, thrown.Message);
        Assert.DoesNotContain(name.Groups[1].Value + "s", NamespaceNames());
        Assert.DoesNotContain(name.Groups[1].Value + "c", NamespaceNames());
        Assert.DoesNotContain(name.Groups[1].Value, Ip("-o", "link", "show"), StringComparison.Ordinal);
    }

    [Fact]
    public void Addresses_give_junction_an_address_no_kernel_owns()
    {
        using JunctionLab lab = RootRequired.CreateLab(new LabOptions { Network = Wire.Ipv4Address.Parse("10.77.9.0") });

        Assert.Equal("10.77.9.1", lab.JunctionAddress.ToString());
        Assert.Equal("10.77.9.64", lab.GetJunctionAddress(63).ToString());
        Assert.Equal("10.77.9.253", lab.ClientAddress.ToString());
        Assert.Equal("10.77.9.254", lab.ServerHostAddress.ToString());
        string serverAddresses = Ip("-n", lab.Server.Namespace, "-4", "-o", "address", "show");
        string clientAddresses = Ip("-n", lab.Client.Namespace, "-4", "-o", "address", "show");
        Assert.Contains("10.77.9.254/24", serverAddresses, StringComparison.Ordinal);
        Assert.Contains("10.77.9.253/24", clientAddresses, StringComparison.Ordinal);
        Assert.DoesNotContain("10.77.9.1/", serverAddresses + clientAddresses, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => lab.GetJunctionAddress(JunctionLab.MaxJunctionAddresses));
    }

    [Fact]
    public void Server_kernel_does_not_answer_for_the_junction_address()
    {
        using JunctionLab lab = RootRequired.CreateLab();

        // Nothing steals the Junction address yet, so the ARP request reaches the server kernel, which must stay silent.
        LabProcess ping = lab.StartProcess(LabSide.Client, "ping", "-c", "2", "-i", "0.2", "-W", "1", lab.JunctionAddress.ToString());
        Assert.True(ping.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.NotEqual(0, ping.ExitCode);
        string neighbours = Ip("-n", lab.Client.Namespace, "neigh", "show", lab.JunctionAddress.ToString());
        Assert.DoesNotContain("lladdr", neighbours, StringComparison.Ordinal);
    }

    [Fact]
    public void RunInNamespace_sees_only_that_sides_interfaces()
    {
        using JunctionLab lab = RootRequired.CreateLab();

        foreach (LabEndpoint side in new[] { lab.Server, lab.Client })
        {
            var interfaces = lab.RunInNamespace(side.Side, () => NetworkInterface.GetAllNetworkInterfaces()
                .Select(i => (i.Name, Mac: i.GetPhysicalAddress().ToString(), Addresses: i.GetIPProperties().UnicastAddresses.Select(a => a.Address.ToString()).ToArray()))
                .ToArray());
            bool offload = lab.RunInNamespace(side.Side, () => LabInterop.GetTxChecksumOffload(side.Interface));

            Assert.Equal(new[] { "lo", side.Interface }.Order(), interfaces.Select(i => i.Name).Order());
            var veth = interfaces.Single(i => i.Name == side.Interface);
            Assert.Equal(side.MacAddress.ToString().Replace(":", "", StringComparison.Ordinal), veth.Mac, ignoreCase: true);
            Assert.Equal([side.HostAddress.ToString()!], veth.Addresses);
            Assert.False(offload);
        }
    }

    [Fact]
    public void RunInNamespace_propagates_exceptions()
    {
        using JunctionLab lab = RootRequired.CreateLab();

        var thrown = Assert.Throws<FormatException>(() => lab.RunInNamespace<int>(LabSide.Server, () => throw new FormatException("inside")));

        Assert.Equal("inside", thrown.Message);
    }

    [Fact]
    public async Task Kernel_sockets_in_the_two_namespaces_talk_tcp_across_the_veth()
    {
        using JunctionLab lab = RootRequired.CreateLab();
        var serverEndpoint = new IPEndPoint(lab.ServerHostAddress!.Value.ToIPAddress(), 5001);
        using Socket listener = lab.RunInNamespace(LabSide.Server, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(serverEndpoint);
            socket.Listen();
            return socket;
        });
        using Socket client = lab.RunInNamespace(LabSide.Client, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        byte[] sent = new byte[1 << 20];
        new Random(11).NextBytes(sent);

        client.Connect(serverEndpoint);
        using Socket accepted = listener.Accept();
        Task sending = Task.Run(() =>
        {
            client.Send(sent);
            client.Shutdown(SocketShutdown.Send);
        });
        using var received = new MemoryStream();
        byte[] buffer = new byte[65536];
        int n;
        while ((n = accepted.Receive(buffer)) > 0) received.Write(buffer, 0, n);
        await sending;

        Assert.Equal(sent, received.ToArray());
        Assert.Equal(lab.ClientAddress.ToIPAddress(), ((IPEndPoint)accepted.RemoteEndPoint!).Address);
    }

    [Fact]
    public void Kernel_sockets_in_the_two_namespaces_talk_udp_across_the_veth()
    {
        using JunctionLab lab = RootRequired.CreateLab();
        var serverEndpoint = new IPEndPoint(lab.ServerHostAddress!.Value.ToIPAddress(), 5002);
        using Socket server = lab.RunInNamespace(LabSide.Server, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(serverEndpoint);
            return socket;
        });
        using Socket client = lab.RunInNamespace(LabSide.Client, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        client.ReceiveTimeout = 5000;
        server.ReceiveTimeout = 5000;

        client.SendTo("ping"u8.ToArray(), serverEndpoint);
        byte[] buffer = new byte[100];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int n = server.ReceiveFrom(buffer, ref from);
        server.SendTo("pong"u8.ToArray(), from);
        int m = client.Receive(buffer.AsSpan(10));

        Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal("pong", System.Text.Encoding.ASCII.GetString(buffer, 10, m));
        Assert.Equal(lab.ClientAddress.ToIPAddress(), ((IPEndPoint)from).Address);
    }

    [Fact]
    public void StartProcess_runs_inside_the_namespace_and_Dispose_kills_what_still_runs()
    {
        LabProcess sleeper;
        using (JunctionLab lab = RootRequired.CreateLab())
        {
            LabProcess links = lab.StartProcess(LabSide.Server, "ip", "-o", "link", "show");
            Assert.True(links.WaitForExit(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, links.ExitCode);
            Assert.Contains(lab.Server.Interface + "@", links.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(lab.Client.Interface + "@", links.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(lab.Client.Interface + ":", links.StandardOutput, StringComparison.Ordinal);

            sleeper = lab.StartProcess(LabSide.Client, "sleep", "600");
            Assert.False(sleeper.HasExited);
        }

        Assert.True(sleeper.HasExited);
    }

    [Fact]
    public void CleanupStale_removes_namespaces_and_links_of_dead_processes()
    {
        RootRequired.Check();
        // A process that has exited leaves a pid that no longer runs.
        using Process gone = Process.Start("true");
        gone.WaitForExit();
        int deadPid = gone.Id;
        Assert.False(Directory.Exists($"/proc/{deadPid}"));
        string baseName = $"jl{deadPid}_zz";
        Ip("netns", "add", baseName + "s");
        Ip("link", "add", baseName + "s", "type", "veth", "peer", "name", baseName + "c");
        Assert.Contains(baseName + "s", NamespaceNames());

        // Another test's Create may run CleanupStale concurrently and remove them first, so the count is not checked.
        JunctionLab.CleanupStale();

        Assert.DoesNotContain(baseName + "s", NamespaceNames());
        Assert.DoesNotContain(baseName, Ip("-o", "link", "show"), StringComparison.Ordinal);
    }

    [Fact]
    public void CleanupStale_leaves_labs_of_running_processes_alone()
    {
        using JunctionLab lab = RootRequired.CreateLab();

        JunctionLab.CleanupStale();

        Assert.Contains(lab.Server.Namespace, NamespaceNames());
        Assert.Contains(lab.Client.Namespace, NamespaceNames());
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Junction.Devices.Xdp;
using Junction.Wire;

namespace Junction.Interop.Tests.Xdp;

/// <summary>
/// Two network namespaces joined by a veth pair: the device side (where the XDP device opens; the Linux host there
/// has <see cref="HostAddress"/>) and the peer side (a Linux host at <see cref="PeerAddress"/>). Everything is
/// deleted on <see cref="Dispose"/>, also after a failed set-up; deleting a namespace removes its veth end.
/// </summary>
internal sealed class VethPair : IDisposable
{
    public const string RootMessage =
        "The AF_XDP tests need root (network namespaces, veth, BPF, AF_XDP): run them as root, e.g. 'sudo dotnet test tests/Junction.Interop.Tests'. They fail instead of skipping so that CI cannot pass without running them.";

    public static readonly Ipv4Address HostAddress = new(10, 77, 0, 1);
    public static readonly Ipv4Address PeerAddress = new(10, 77, 0, 2);
    public static readonly MacAddress DeviceMac = MacAddress.Parse("02:4a:58:00:00:01");
    public static readonly MacAddress PeerMac = MacAddress.Parse("02:4a:58:00:00:02");

    private static int s_counter;
    private bool _disposed;

    public VethPair(int queues = 1)
    {
        if (!Environment.IsPrivilegedProcess) Assert.Fail(RootMessage);
        string stem = string.Create(CultureInfo.InvariantCulture, $"jx{Environment.ProcessId % 1_000_000}{Interlocked.Increment(ref s_counter)}");
        DeviceSide = stem + "a";
        PeerSide = stem + "b";
        try
        {
            Run("ip", "netns", "add", DeviceSide);
            Run("ip", "netns", "add", PeerSide);
            string q = queues.ToString(CultureInfo.InvariantCulture);
            Run("ip", "link", "add", DeviceSide, "address", DeviceMac.ToString(), "numtxqueues", q, "numrxqueues", q, "netns", DeviceSide,
                "type", "veth", "peer", "name", PeerSide, "address", PeerMac.ToString(), "numtxqueues", q, "numrxqueues", q, "netns", PeerSide);
            Run("ip", "-n", DeviceSide, "addr", "add", HostAddress + "/16", "dev", DeviceSide);
            Run("ip", "-n", PeerSide, "addr", "add", PeerAddress + "/16", "dev", PeerSide);
            Run("ip", "-n", DeviceSide, "link", "set", "lo", "up");
            Run("ip", "-n", PeerSide, "link", "set", "lo", "up");
            Run("ip", "-n", DeviceSide, "link", "set", DeviceSide, "up");
            Run("ip", "-n", PeerSide, "link", "set", PeerSide, "up");
            // Linux sends partial (pseudo-header) checksums over veth; real NICs deliver complete ones.
            Run("ip", "netns", "exec", PeerSide, "ethtool", "-K", PeerSide, "tx", "off");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The device side's namespace and interface name.</summary>
    public string DeviceSide { get; }

    /// <summary>The peer side's namespace and interface name.</summary>
    public string PeerSide { get; }

    public string DeviceNamespacePath => "/var/run/netns/" + DeviceSide;

    /// <summary>Options for a device on the device side steering <paramref name="addresses"/>.</summary>
    public XdpDeviceOptions Options(params Ipv4Address[] addresses)
    {
        var options = new XdpDeviceOptions
        {
            InterfaceName = DeviceSide,
            NetworkNamespace = DeviceNamespacePath,
            FrameCount = 1024,
            FillRingSize = 512,
            CompletionRingSize = 512,
            RxRingSize = 256,
            TxRingSize = 256,
            TransmitReserve = 128,
            MaxSockets = 256,
        };
        foreach (Ipv4Address address in addresses) options.Addresses.Add(address);
        return options;
    }

    /// <summary>Tells the peer's Linux where <paramref name="addresses"/> live, so that it sends without asking by ARP.</summary>
    public void AddPeerNeighbours(IEnumerable<Ipv4Address> addresses)
    {
        string batch = string.Concat(addresses.Select(a => $"neigh replace {a} lladdr {DeviceMac} dev {PeerSide} nud permanent\n"));
        Run("ip", ["-n", PeerSide, "-batch", "-"], batch);
    }

    /// <summary>Runs <paramref name="action"/> on a thread inside the peer namespace (sockets made there stay there).</summary>
    public T InPeer<T>(Func<T> action) => InNamespace("/var/run/netns/" + PeerSide, action);

    /// <summary>Runs a command in the peer namespace; returns its exit code and output.</summary>
    public (int ExitCode, string Output) ExecInPeer(params string[] command) =>
        RunForExitCode("ip", ["netns", "exec", PeerSide, .. command]);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        RunForExitCode("ip", ["netns", "del", DeviceSide]);
        RunForExitCode("ip", ["netns", "del", PeerSide]);
    }

    public static T InNamespace<T>(string path, Func<T> action)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
                Assert.True(fd >= 0, $"open {path}: errno {Errno.Last}");
                try
                {
                    Assert.True(Libc.SetNs(fd, Libc.CLONE_NEWNET) == 0, $"setns {path}: errno {Errno.Last}");
                }
                finally
                {
                    Libc.Close(fd);
                }
                result = action();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static void Run(string file, params string[] arguments) => Run(file, arguments, null);

    private static void Run(string file, string[] arguments, string? input)
    {
        (int exitCode, string output) = RunForExitCode(file, arguments, input);
        if (exitCode != 0) throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' failed with exit code {exitCode}: {output}");
    }

    private static (int ExitCode, string Output) RunForExitCode(string file, string[] arguments, string? input = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', arguments)}' did not finish within a minute.");
        }
        return (process.ExitCode, output + error.Result);
    }
}

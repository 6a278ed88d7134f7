using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Junction.Wire;

namespace Junction.Lab;

/// <summary>
/// Two network namespaces joined by a veth pair: the <see cref="LabSide.Server"/> side where Junction instances
/// attach AF_XDP sockets, and the <see cref="LabSide.Client"/> side where the Linux kernel's own stack is the peer.
/// Code and processes run inside either side; disposing removes everything, and leftovers of killed processes are
/// removed by the next <see cref="Create"/>. A lab with a <see cref="LabOptions.Name"/> is persistent instead: it
/// outlives the process that created it (the <c>junction lab up</c> command), later processes attach to it with
/// <see cref="Open"/>, and only <see cref="Remove"/> deletes it.
/// </summary>
/// <remarks>
/// Addressing on the /24 <see cref="LabOptions.Network"/>: Junction instances use .1 and up
/// (<see cref="GetJunctionAddress"/>), the client kernel owns .253 and the server kernel (optionally) .254. The
/// server kernel owns no Junction address, so it never answers ARP for one, and frames for Junction addresses
/// that the XDP program passes to it are dropped (namespaces do not forward).
/// Names are <c>jl{pid}_{n}{s|c}</c>: unique per process and lab, at most 15 characters (IFNAMSIZ), and they
/// carry the owner's process id so stale ones can be told from live ones. A persistent lab named N uses the
/// namespaces <c>junction-N-server</c> and <c>junction-N-client</c> and the interfaces <c>jnNs</c> and <c>jnNc</c>;
/// <see cref="CleanupStale"/> never touches them.
/// </remarks>
public sealed partial class JunctionLab : IDisposable
{
    /// <summary>How many Junction addresses the lab's /24 offers (.1 to .252).</summary>
    public const int MaxJunctionAddresses = 252;

    /// <summary>The prefix length of the link's network.</summary>
    public const int PrefixLength = 24;

    private const string NamePrefix = "jl";
    private const string RootRequiredMessage =
        "Run as root (or with CAP_NET_ADMIN and CAP_SYS_ADMIN): the lab creates network namespaces and veth links.";
    private const string IpMissingMessage = "Install iproute2: apt-get install iproute2 (the lab runs the 'ip' command).";
    private const string NetnsDirectory = "/run/netns";
    private const string PersistentPrefix = "junction-";

    /// <summary>The longest <see cref="LabOptions.Name"/>: the interface names <c>jnNAMEs</c> must fit in 15 characters.</summary>
    public const int MaxNameLength = 12;

    private static readonly Lock LiveLock = new();
    private static readonly HashSet<string> LiveLabs = [];
    private static int s_counter;

    private readonly List<LabProcess> _processes = [];
    private readonly string _ip;
    private readonly string _baseName;
    private bool _disposed;

    private JunctionLab(LabOptions options, string ip, string baseName)
        : this(options, ip, baseName, baseName + "s", baseName + "s", baseName + "c", baseName + "c")
    {
    }

    private JunctionLab(LabOptions options, string ip, string baseName, string serverNamespace, string serverInterface, string clientNamespace, string clientInterface)
    {
        Options = options;
        _ip = ip;
        _baseName = baseName;
        byte[] network = new byte[4];
        options.Network.Write(network);
        NetworkAddress = new Ipv4Address(network[0], network[1], network[2], 0);
        ClientAddress = new Ipv4Address(network[0], network[1], network[2], 253);
        ServerHostAddress = options.AssignServerHostAddress ? new Ipv4Address(network[0], network[1], network[2], 254) : null;
        // Filled in by Build once the links exist.
        Server = new LabEndpoint(LabSide.Server, serverNamespace, serverInterface, 0, default, ServerHostAddress);
        Client = new LabEndpoint(LabSide.Client, clientNamespace, clientInterface, 0, default, ClientAddress);
        Faults = new LabFaults(this);
    }

    /// <summary>The options the lab was built with.</summary>
    public LabOptions Options { get; }

    /// <summary>The server side: where Junction instances run.</summary>
    public LabEndpoint Server { get; private set; }

    /// <summary>The client side: the Linux peer.</summary>
    public LabEndpoint Client { get; private set; }

    /// <summary>The link's network (host part zero); its prefix is <see cref="PrefixLength"/>.</summary>
    public Ipv4Address NetworkAddress { get; }

    /// <summary>The first Junction instance's address (.1), owned by no kernel.</summary>
    public Ipv4Address JunctionAddress => GetJunctionAddress(0);

    /// <summary>The client kernel's address (.253).</summary>
    public Ipv4Address ClientAddress { get; }

    /// <summary>The server kernel's own address (.254), or null when <see cref="LabOptions.AssignServerHostAddress"/> is off.</summary>
    public Ipv4Address? ServerHostAddress { get; }

    /// <summary>The MTU of both veth ends.</summary>
    public int Mtu => Options.Mtu;

    /// <summary>How many queue pairs each veth end has.</summary>
    public int QueueCount => Options.QueueCount;

    /// <summary>Loss rules on the Linux side.</summary>
    public LabFaults Faults { get; }

    /// <summary>The persistent lab's name, or null for a lab that lives as long as this object.</summary>
    public string? Name => Options.Name;

    /// <summary>Whether the lab outlives this object (it has a <see cref="Name"/>): <see cref="Dispose"/> then leaves the namespaces in place.</summary>
    public bool IsPersistent => Options.Name is not null;

    /// <summary>The address of Junction instance <paramref name="index"/> (0-based): .1 for 0, .2 for 1, and so on.</summary>
    public Ipv4Address GetJunctionAddress(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MaxJunctionAddresses);
        return new Ipv4Address(NetworkAddress.Value + 1 + (uint)index);
    }

    /// <summary>One side's namespace, interface and addresses.</summary>
    public LabEndpoint GetEndpoint(LabSide side) => side == LabSide.Server ? Server : Client;

    /// <summary>
    /// Creates the namespaces and the veth pair, addresses them and brings them up. First removes what labs of
    /// processes that no longer run left behind.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    /// <exception cref="InvalidOperationException">Not root, <c>ip</c> missing, a persistent lab of that name exists already, or a step failed (the message says which); nothing is left behind.</exception>
    public static JunctionLab Create(LabOptions? options = null)
    {
        options ??= LabOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Mtu, 68);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCount, 1);
        if (options.Name is { } name) ValidateName(name);
        string ip = CheckEnvironment();
        CleanupStale();
        if (options.Name is { } persistent) return CreatePersistent(options, ip, persistent);

        string baseName = string.Create(CultureInfo.InvariantCulture,
            $"{NamePrefix}{Environment.ProcessId}_{ToBase36(Interlocked.Increment(ref s_counter))}");
        lock (LiveLock) LiveLabs.Add(baseName);
        var lab = new JunctionLab(options, ip, baseName);
        try
        {
            lab.Build();
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes namespaces and links of labs whose process no longer runs (and of labs of this process that were
    /// not disposed cleanly). <see cref="Create"/> calls it; call it yourself after a crash if you like.
    /// </summary>
    /// <returns>How many namespaces or links it removed.</returns>
    public static int CleanupStale()
    {
        string ip = CheckEnvironment();
        int removed = 0;
        foreach (string name in ListNamespaces(ip))
        {
            if (!IsStale(name)) continue;
            // Deleting the veth first makes the link vanish now, not when the last socket in the namespace closes.
            LabCommand.TryRun(ip, ["-n", name, "link", "del", name]);
            if (LabCommand.TryRun(ip, ["netns", "del", name]).ExitCode == 0) removed++;
        }
        foreach (string name in ListLinks(ip, null))
        {
            if (IsStale(name) && LabCommand.TryRun(ip, ["link", "del", name]).ExitCode == 0) removed++;
        }
        return removed;
    }

    /// <summary>
    /// Attaches to the persistent lab <paramref name="name"/> that an earlier <see cref="Create"/> (maybe in another
    /// process) left running: reads its interfaces, addresses, MTU and queue count back from the system. Disposing
    /// the returned object kills the processes it started and leaves the lab in place.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not root, <c>ip</c> missing, or no lab of that name (the message lists the ones there are).</exception>
    public static JunctionLab Open(string name)
    {
        ValidateName(name);
        string ip = CheckEnvironment();
        (string serverNamespace, string serverInterface, string clientNamespace, string clientInterface) = PersistentNames(name);
        List<string> namespaces = [.. ListNamespaces(ip)];
        if (!namespaces.Contains(serverNamespace) || !namespaces.Contains(clientNamespace))
        {
            IReadOnlyList<string> existing = ListPersistent();
            throw new InvalidOperationException(existing.Count == 0
                ? $"There is no lab named '{name}' (no lab is up; create one with 'junction lab up --name {name}')."
                : $"There is no lab named '{name}'; labs that are up: {string.Join(", ", existing)}.");
        }
        LabLinkState server = LabLinkState.Read(ip, serverNamespace, serverInterface);
        LabLinkState client = LabLinkState.Read(ip, clientNamespace, clientInterface);
        Ipv4Address clientAddress = client.Address ?? throw new InvalidOperationException($"The client side of lab '{name}' has no IPv4 address on {clientInterface}; remove it with 'junction lab down {name}' and create it again.");
        byte[] bytes = new byte[4];
        clientAddress.Write(bytes);
        var options = new LabOptions
        {
            Name = name,
            Mtu = server.Mtu,
            QueueCount = server.QueueCount,
            Network = new Ipv4Address(bytes[0], bytes[1], bytes[2], 0),
            AssignServerHostAddress = server.Address is not null,
        };
        var lab = new JunctionLab(options, ip, "jn" + name, serverNamespace, serverInterface, clientNamespace, clientInterface);
        lab.Server = lab.Server with { InterfaceIndex = server.InterfaceIndex, MacAddress = server.MacAddress };
        lab.Client = lab.Client with { InterfaceIndex = client.InterfaceIndex, MacAddress = client.MacAddress };
        return lab;
    }

    /// <summary>Deletes the persistent lab <paramref name="name"/>: its veth pair and both namespaces.</summary>
    /// <returns>False when there was no such lab (nothing to remove).</returns>
    /// <exception cref="InvalidOperationException">Not root, <c>ip</c> missing, or a part of the lab could not be removed.</exception>
    public static bool Remove(string name)
    {
        ValidateName(name);
        string ip = CheckEnvironment();
        (string serverNamespace, string serverInterface, string clientNamespace, string clientInterface) = PersistentNames(name);
        List<string> namespaces = [.. ListNamespaces(ip)];
        bool found = false;
        foreach ((string namespaceName, string interfaceName) in new[] { (serverNamespace, serverInterface), (clientNamespace, clientInterface) })
        {
            if (!namespaces.Contains(namespaceName)) continue;
            found = true;
            LabCommand.TryRun(ip, ["-n", namespaceName, "link", "del", interfaceName]);
            LabCommand.Run(ip, ["netns", "del", namespaceName]);
        }
        foreach (string link in ListLinks(ip, null))
        {
            if (link == serverInterface || link == clientInterface)
            {
                found = true;
                LabCommand.Run(ip, ["link", "del", link]);
            }
        }
        return found;
    }

    /// <summary>The names of the persistent labs that are up, in order.</summary>
    /// <exception cref="InvalidOperationException">Not root or <c>ip</c> missing.</exception>
    public static IReadOnlyList<string> ListPersistent()
    {
        string ip = CheckEnvironment();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string namespaceName in ListNamespaces(ip))
        {
            Match match = PersistentNamespace().Match(namespaceName);
            if (match.Success) names.Add(match.Groups["name"].Value);
        }
        return [.. names];
    }

    /// <summary>Whether <paramref name="name"/> can name a persistent lab: 1 to <see cref="MaxNameLength"/> lower-case letters and digits.</summary>
    public static bool IsValidName(string? name) => name is not null && ValidName().IsMatch(name);

    /// <summary>
    /// Runs <paramref name="function"/> on a new thread that entered <paramref name="side"/>'s network namespace
    /// and waits for it. Sockets created there (System.Net.Sockets peers, AF_XDP sockets, netlink and bpf calls
    /// that name an ifindex) belong to that namespace, and stay usable from any thread afterwards.
    /// Exceptions propagate to the caller.
    /// </summary>
    public T RunInNamespace<T>(LabSide side, Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        ObjectDisposedException.ThrowIf(_disposed, this);
        string path = NamespacePath(GetEndpoint(side).Namespace);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                LabInterop.EnterNetworkNamespace(path);
                result = function();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "lab " + GetEndpoint(side).Namespace,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Runs <paramref name="action"/> inside <paramref name="side"/>'s namespace; see <see cref="RunInNamespace{T}"/>.</summary>
    public void RunInNamespace(LabSide side, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        RunInNamespace(side, () =>
        {
            action();
            return true;
        });
    }

    /// <summary>
    /// Moves the calling thread, for the rest of its life, into <paramref name="side"/>'s namespace. Only for
    /// threads you created and own (a stack's polling thread); never call it on a thread-pool thread.
    /// </summary>
    public void EnterNamespaceOnCurrentThread(LabSide side)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LabInterop.EnterNetworkNamespace(NamespacePath(GetEndpoint(side).Namespace));
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> inside <paramref name="side"/>'s namespace (<c>ip netns exec</c>, which also
    /// gives it that namespace's /sys). The lab kills and reaps it on dispose.
    /// </summary>
    public LabProcess StartProcess(LabSide side, string fileName, params string[] arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = new ProcessStartInfo(_ip)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("netns");
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(GetEndpoint(side).Namespace);
        info.ArgumentList.Add(fileName);
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var started = new LabProcess(process);
        lock (_processes) _processes.Add(started);
        return started;
    }

    /// <summary>
    /// Kills the processes the lab started, then deletes the veth pair and both namespaces. Every step runs even
    /// when an earlier one fails; what could not be removed is removed by the next <see cref="CleanupStale"/>.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        KillProcesses();
        if (IsPersistent) return;
        RemoveLinks();
    }

    private void KillProcesses()
    {
        LabProcess[] processes;
        lock (_processes) processes = [.. _processes];
        foreach (LabProcess process in processes)
        {
            try
            {
                process.Dispose();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone; nothing to reap.
            }
        }
    }

    private void RemoveLinks()
    {
        bool clean = true;
        foreach (LabEndpoint side in new[] { Server, Client })
        {
            if (File.Exists(NamespacePath(side.Namespace)))
            {
                LabCommand.TryRun(_ip, ["-n", side.Namespace, "link", "del", side.Interface]);
                clean &= LabCommand.TryRun(_ip, ["netns", "del", side.Namespace]).ExitCode == 0;
            }
        }
        // A half-built lab may have left the pair in the root namespace.
        try
        {
            foreach (string link in ListLinks(_ip, null))
            {
                if (link.StartsWith(_baseName, StringComparison.Ordinal))
                    clean &= LabCommand.TryRun(_ip, ["link", "del", link]).ExitCode == 0;
            }
        }
        catch (InvalidOperationException)
        {
            clean = false;
        }
        // No longer live: whatever could not be removed now counts as stale, and CleanupStale retries it.
        lock (LiveLock) LiveLabs.Remove(_baseName);
        if (!clean) Trace.TraceWarning($"Lab {_baseName} was not removed completely; the next CleanupStale retries.");
    }

    internal string IpPath => _ip;

    private static JunctionLab CreatePersistent(LabOptions options, string ip, string name)
    {
        if (ListPersistent().Contains(name, StringComparer.Ordinal))
            throw new InvalidOperationException($"A lab named '{name}' is up already: use it, or remove it first with 'junction lab down {name}'.");
        (string serverNamespace, string serverInterface, string clientNamespace, string clientInterface) = PersistentNames(name);
        var lab = new JunctionLab(options, ip, "jn" + name, serverNamespace, serverInterface, clientNamespace, clientInterface);
        try
        {
            lab.Build();
            return lab;
        }
        catch
        {
            lab.Dispose();
            Remove(name);
            throw;
        }
    }

    private static (string ServerNamespace, string ServerInterface, string ClientNamespace, string ClientInterface) PersistentNames(string name) =>
        (PersistentPrefix + name + "-server", "jn" + name + "s", PersistentPrefix + name + "-client", "jn" + name + "c");

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
            throw new ArgumentException($"A lab name is 1 to {MaxNameLength} lower-case letters and digits ('{name}' is not): it becomes part of interface names, which Linux limits to 15 characters.", nameof(name));
    }

    private void Build()
    {
        string queues = Options.QueueCount.ToString(CultureInfo.InvariantCulture);
        string mtu = Options.Mtu.ToString(CultureInfo.InvariantCulture);
        // Both ends are created directly inside their namespaces, so nothing ever sits in the root namespace.
        LabCommand.Run(_ip, ["-batch", "-"], string.Join('\n',
            $"netns add {Server.Namespace}",
            $"netns add {Client.Namespace}",
            $"link add name {Server.Interface} netns {Server.Namespace} mtu {mtu} numtxqueues {queues} numrxqueues {queues} " +
            $"type veth peer name {Client.Interface} netns {Client.Namespace} mtu {mtu} numtxqueues {queues} numrxqueues {queues}",
            ""));
        Server = ConfigureSide(Server);
        Client = ConfigureSide(Client);
    }

    private LabEndpoint ConfigureSide(LabEndpoint side)
    {
        (int index, MacAddress mac) = RunInNamespace(side.Side, () =>
        {
            // No IPv6: its router solicitations and MLD reports would be stray traffic in every capture and count.
            DisableIpv6(side.Interface);
            if (Options.DisableTxChecksumOffload) LabInterop.SetTxChecksumOffload(side.Interface, enabled: false);
            return (LabInterop.GetInterfaceIndex(side.Interface), LabInterop.GetHardwareAddress(side.Interface));
        });
        var commands = new List<string> { "link set lo up" };
        if (side.HostAddress is { } address) commands.Add($"address add {address}/{PrefixLength} dev {side.Interface}");
        commands.Add($"link set {side.Interface} up");
        commands.Add("");
        LabCommand.Run(_ip, ["-n", side.Namespace, "-batch", "-"], string.Join('\n', commands));
        return side with { InterfaceIndex = index, MacAddress = mac };
    }

    private static void DisableIpv6(string interfaceName)
    {
        // /proc/sys/net shows the namespace of the thread that opens it.
        foreach (string scope in new[] { "all", "default", interfaceName })
        {
            string path = $"/proc/sys/net/ipv6/conf/{scope}/disable_ipv6";
            if (File.Exists(path)) File.WriteAllText(path, "1");
        }
    }

    private static string CheckEnvironment()
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("The lab needs Linux network namespaces.");
        if (LabInterop.GetEffectiveUserId() != 0 && !HasNetworkCapabilities()) throw new InvalidOperationException(RootRequiredMessage);
        return LabCommand.Require("ip", IpMissingMessage);
    }

    private static bool HasNetworkCapabilities()
    {
        const int CapNetAdmin = 12;
        const int CapSysAdmin = 21;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("CapEff:", StringComparison.Ordinal)) continue;
            ulong effective = ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return (effective & (1UL << CapNetAdmin)) != 0 && (effective & (1UL << CapSysAdmin)) != 0;
        }
        return false;
    }

    private static bool IsStale(string name)
    {
        Match match = LabName().Match(name);
        if (!match.Success) return false;
        int pid = int.Parse(match.Groups["pid"].ValueSpan, CultureInfo.InvariantCulture);
        if (pid != Environment.ProcessId) return !Directory.Exists($"/proc/{pid}");
        lock (LiveLock) return !LiveLabs.Contains(match.Groups["base"].Value);
    }

    private static IEnumerable<string> ListNamespaces(string ip)
    {
        // Lines look like "jl123_1s (id: 4)" or just "jl123_1s".
        foreach (string line in LabCommand.Run(ip, ["netns", "list"]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            yield return line.Split(' ', 2)[0].Trim();
    }

    /// <summary>Names of the links in <paramref name="namespaceName"/> (the root namespace when null).</summary>
    internal static List<string> ListLinks(string ip, string? namespaceName)
    {
        string[] arguments = namespaceName is null ? ["-o", "link", "show"] : ["-n", namespaceName, "-o", "link", "show"];
        var names = new List<string>();
        // Lines look like "12: jl123_1s@if11: <BROADCAST,...".
        foreach (string line in LabCommand.Run(ip, arguments).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split(':', 3);
            if (fields.Length < 3) continue;
            string name = fields[1].Trim();
            int at = name.IndexOf('@', StringComparison.Ordinal);
            names.Add(at >= 0 ? name[..at] : name);
        }
        return names;
    }

    private static string NamespacePath(string name) => Path.Combine(NetnsDirectory, name);

    private static string ToBase36(int value)
    {
        const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        Span<char> buffer = stackalloc char[8];
        int position = buffer.Length;
        uint remaining = (uint)value;
        do
        {
            buffer[--position] = Digits[(int)(remaining % 36)];
            remaining /= 36;
        }
        while (remaining != 0);
        return new string(buffer[position..]);
    }

    [GeneratedRegex(@"^(?<base>jl(?<pid>\d+)_[0-9a-z]+)[sc]$")]
    private static partial Regex LabName();

    [GeneratedRegex(@"^junction-(?<name>[a-z0-9]{1,12})-server$")]
    private static partial Regex PersistentNamespace();

    [GeneratedRegex(@"^[a-z0-9]{1,12}$")]
    private static partial Regex ValidName();
}

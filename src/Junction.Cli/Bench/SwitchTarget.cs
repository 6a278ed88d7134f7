using System.Net;
using System.Net.Sockets;
using Junction.Cli.Hosting;
using Junction.Cli.Load;
using Junction.Devices.Memory;
using Junction.Lab;
using Junction.Sockets;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Cli.Bench;

/// <summary>
/// The comparison without root: Junction on the in-process virtual switch (server and a Junction client, each its
/// own stack) against System.Net.Sockets over loopback; load generator in this process, so server CPU is not told
/// apart from the client's.
/// </summary>
internal sealed class SwitchTarget : IBenchTarget
{
    private static readonly Ipv4Address ServerAddress = new(10, 77, 0, 1);
    private static readonly Ipv4Address ClientAddress = new(10, 77, 0, 253);
    private static readonly Ipv4Address JunctionClientAddress = new(10, 77, 0, 2);
    private readonly VirtualSwitch _switch = VirtualSwitch.CreateRealTime();
    private readonly JunctionNetwork _client;
    private uint _nextMac = 16;

    public SwitchTarget()
    {
        VirtualPort port = _switch.CreatePort(MacAddress.LocallyAdministered(2));
        _client = new JunctionNetwork(port, new NetStackOptions { Address = ClientAddress, PrefixLength = JunctionLab.PrefixLength });
    }

    public string Environment => "virtual-switch-vs-loopback";

    public string Description =>
        "Junction on the in-process virtual switch (no AF_XDP) vs Linux sockets over loopback; load generator in this process.";

    public JunctionLab? Lab => null;

    public Ipv4Address JunctionAddress => ServerAddress;

    public Ipv4Address LinuxAddress => new(127, 0, 0, 1);

    public bool MeasuresServerCpu => false;

    public JunctionHost OpenJunction(HostSettings settings) =>
        JunctionHost.OpenOnSwitch(_switch, MacAddress.LocallyAdministered(_nextMac++), ServerAddress, settings);

    public JunctionHost OpenJunctionClient(HostSettings settings) =>
        JunctionHost.OpenOnSwitch(_switch, MacAddress.LocallyAdministered(_nextMac++), JunctionClientAddress, settings, client: true);

    public Task<MeasuredLoad> RunLoadAsync(LoadRequest request, bool againstJunction, Action onWindowStart, Action onWindowEnd, CancellationToken cancellationToken)
    {
        if (request.Scenario == Scenario.UdpPps)
            throw new InvalidOperationException("udp-pps needs root: its senders are Linux sockets in the lab's client namespace.");
        StreamConnector connect = againstJunction ? JunctionConnect(request.Target) : LinuxConnector.To(request.Target);
        return Measure(request, connect, onWindowStart, onWindowEnd);
    }

    public string Generator(Scenario scenario) => "built-in, in this process";

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync().ConfigureAwait(false);
        _switch.Dispose();
    }

    private static async Task<MeasuredLoad> Measure(LoadRequest request, StreamConnector connect, Action onWindowStart, Action onWindowEnd) =>
        new(await LoadGenerator.RunAsync(request, connect, onWindowStart, onWindowEnd).ConfigureAwait(false), null);

    private StreamConnector JunctionConnect(IPEndPoint target) => async cancellationToken =>
    {
        var socket = _client.CreateSocket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            return new JunctionNetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}

using Junction.Cli.Hosting;
using Junction.Cli.Load;
using Junction.Lab;
using Junction.Wire;

namespace Junction.Cli.Bench;

/// <summary>
/// Where a comparison runs: the AF_XDP veth lab (root), or the in-process virtual switch against loopback sockets.
/// It opens the Junction server and runs a load against either stack.
/// </summary>
internal interface IBenchTarget : IAsyncDisposable
{
    /// <summary>"af_xdp-veth-lab" or "virtual-switch-vs-loopback" (the JSON <c>environment</c>).</summary>
    string Environment { get; }

    /// <summary>A sentence saying what is compared, for the console.</summary>
    string Description { get; }

    /// <summary>The lab, or null on the virtual switch.</summary>
    JunctionLab? Lab { get; }

    Ipv4Address JunctionAddress { get; }

    Ipv4Address LinuxAddress { get; }

    /// <summary>Whether the server's CPU can be told apart from the load's (the load runs in another process).</summary>
    bool MeasuresServerCpu { get; }

    /// <summary>The Junction server's instance, on its own runtime, at <see cref="JunctionAddress"/>.</summary>
    JunctionHost OpenJunction(HostSettings settings);

    /// <summary>
    /// A second Junction instance on the client side (the lab's client-side veth, in the client namespace, at another
    /// lab address), for tcp-rr's Junction↔Junction round trips.
    /// </summary>
    JunctionHost OpenJunctionClient(HostSettings settings);

    /// <summary>Runs <paramref name="request"/>; the callbacks run when the measured window opens and closes.</summary>
    Task<MeasuredLoad> RunLoadAsync(LoadRequest request, bool againstJunction, Action onWindowStart, Action onWindowEnd, CancellationToken cancellationToken);

    /// <summary>What generates the load of <paramref name="scenario"/>.</summary>
    string Generator(Scenario scenario);
}

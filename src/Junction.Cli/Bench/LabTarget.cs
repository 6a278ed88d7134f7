using Junction.Cli.Hosting;
using Junction.Cli.Load;
using Junction.Lab;
using Junction.Wire;

namespace Junction.Cli.Bench;

/// <summary>
/// The comparison on the veth lab: Junction on an AF_XDP socket at the lab's Junction address, Linux on the server
/// namespace's own address, the load in the client namespace in another process (wrk or this program).
/// </summary>
internal sealed class LabTarget(JunctionLab lab, string? wrk) : IBenchTarget
{
    public string Environment => "af_xdp-veth-lab";

    public string Description =>
        $"Junction on AF_XDP at {lab.JunctionAddress} vs the Linux kernel at {lab.ServerHostAddress}, both in {lab.Server.Namespace}; load from {lab.Client.Namespace} ({lab.ClientAddress}) over a veth pair, MTU {lab.Mtu}.";

    public JunctionLab? Lab => lab;

    public Ipv4Address JunctionAddress => lab.JunctionAddress;

    public Ipv4Address LinuxAddress => lab.ServerHostAddress ?? throw new InvalidOperationException("The lab gave the server kernel no address.");

    public bool MeasuresServerCpu => true;

    public JunctionHost OpenJunction(HostSettings settings) => JunctionHost.OpenXdp(lab, lab.JunctionAddress, settings);

    public JunctionHost OpenJunctionClient(HostSettings settings) =>
        JunctionHost.OpenXdp(lab.Client.Interface, lab.Client.Namespace, lab.GetJunctionAddress(1), JunctionLab.PrefixLength, settings, client: true);

    public Task<MeasuredLoad> RunLoadAsync(LoadRequest request, bool againstJunction, Action onWindowStart, Action onWindowEnd, CancellationToken cancellationToken)
    {
        if (request.Scenario == Scenario.HttpPlaintext && wrk is not null) return Wrk.RunAsync(lab, wrk, request, cancellationToken);
        return ClientProcess.RunAsync(lab, request, onWindowStart, onWindowEnd, cancellationToken);
    }

    public string Generator(Scenario scenario) => scenario == Scenario.HttpPlaintext && wrk is not null ? "wrk" : "junction load (built-in), client namespace";

    public ValueTask DisposeAsync()
    {
        lab.Dispose();
        return ValueTask.CompletedTask;
    }
}

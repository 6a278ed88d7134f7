namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// The kernel interop tests (TCP, UDP, ICMP) run one after another: each drives gigabytes through a veth on a
/// 2-core machine, and running them side by side would only make each slower.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KernelInterop
{
    public const string Name = "Linux kernel interop";
}

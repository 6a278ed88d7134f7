using Junction.Devices.Verbs;

namespace Junction.Devices;

/// <summary>
/// The <c>Auto</c> device choice: verbs where an mlx5 port with raw packet access exists (it bypasses the kernel
/// entirely), otherwise AF_XDP, which runs on any Linux NIC. Never throws; the selection carries the reason.
/// </summary>
public static class DeviceSelector
{
    /// <summary>Runs verbs discovery (optionally on <paramref name="verbsDeviceName"/>, port <paramref name="port"/>) and chooses.</summary>
    public static DeviceSelection SelectAuto(string? verbsDeviceName = null, byte port = 1) =>
        Select(VerbsDiscovery.Discover(verbsDeviceName, port));

    /// <summary>Chooses from an existing discovery result.</summary>
    public static DeviceSelection Select(VerbsDiscoveryResult verbs)
    {
        ArgumentNullException.ThrowIfNull(verbs);
        return new DeviceSelection(verbs.IsAvailable ? DeviceKind.Verbs : DeviceKind.AfXdp, verbs);
    }
}

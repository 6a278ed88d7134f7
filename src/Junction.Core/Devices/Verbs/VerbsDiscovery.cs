using Junction.Interop;
using Junction.Devices.Verbs.Interop;

namespace Junction.Devices.Verbs;

/// <summary>
/// Finds out whether an rdma-core (verbs) device can carry Junction's traffic here, and if not, says why in one
/// sentence. Never throws: every missing piece (library, kernel support, device, permission, capability, port type)
/// is a <see cref="VerbsDiscoveryStatus"/> with a reason.
/// </summary>
public static class VerbsDiscovery
{
    /// <summary>The reason reported when the kernel has no verbs support (the case on kernels built without InfiniBand).</summary>
    public const string KernelUnsupportedReason =
        "The kernel has no RDMA verbs support: ibv_get_device_list failed with ENOSYS (no ib_uverbs; a kernel built without InfiniBand).";

    /// <summary>Looks for a usable mlx5 port: <paramref name="deviceName"/> if given, else the first mlx5 device; port <paramref name="port"/>.</summary>
    public static VerbsDiscoveryResult Discover(string? deviceName = null, byte port = 1) =>
        Discover(NativeVerbsPlatform.Instance, deviceName, port);

    internal static VerbsDiscoveryResult Discover(IVerbsPlatform platform, string? deviceName, byte port)
    {
        try
        {
            return DiscoverCore(platform, deviceName, port);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            // A library that loads but lacks an entry point is too old an rdma-core; report, do not throw.
            return new(VerbsDiscoveryStatus.LibraryMissing, $"rdma-core's libraries are unusable here ({e.GetType().Name}): install rdma-core 22 or later.");
        }
    }

    private static VerbsDiscoveryResult DiscoverCore(IVerbsPlatform platform, string? deviceName, byte port)
    {
        if (!platform.TryLoadLibrary())
        {
            return new(VerbsDiscoveryStatus.LibraryMissing,
                "libibverbs.so.1 could not be loaded: install rdma-core's libibverbs1 and ibverbs-providers packages.");
        }

        var devices = new List<VerbsDeviceInfo>();
        int error = platform.ListDevices(devices);
        if (error == Errno.ENOSYS) return new(VerbsDiscoveryStatus.KernelUnsupported, KernelUnsupportedReason);
        if (error is Errno.EPERM or Errno.EACCES)
        {
            return new(VerbsDiscoveryStatus.PermissionDenied,
                $"Listing RDMA devices was refused ({Errno.Name(error)}): the process may not read /sys/class/infiniband_verbs.");
        }
        if (error != 0) return new(VerbsDiscoveryStatus.Failed, $"ibv_get_device_list failed with {Errno.Name(error)}.");
        if (devices.Count == 0)
        {
            return new(VerbsDiscoveryStatus.NoDevice,
                "No RDMA device is present: no mlx5 or MANA NIC with its RDMA driver (mlx5_ib, mana_ib) loaded.");
        }

        VerbsDeviceInfo? chosen = null;
        VerbsDeviceInfo? mana = null;
        foreach (VerbsDeviceInfo device in devices)
        {
            if (deviceName is not null && device.Name != deviceName) continue;
            if (device.Kind == VerbsNicKind.Mlx5)
            {
                chosen = device;
                break;
            }
            if (device.Kind == VerbsNicKind.Mana) mana ??= device;
        }
        if (chosen is null)
        {
            if (mana is { } m)
            {
                return new(VerbsDiscoveryStatus.ManaNotSupported,
                    $"MANA device {m.Name} found, but MANA is not yet supported: it needs its own WQE format (manadv rings), which Junction does not implement.",
                    m.Name, VerbsNicKind.Mana);
            }
            string names = string.Join(", ", devices.ConvertAll(d => d.Name));
            return new(VerbsDiscoveryStatus.NoSupportedDevice, deviceName is null
                ? $"No mlx5 or MANA device among the RDMA devices present ({names})."
                : $"RDMA device {deviceName} is not present or not an mlx5 NIC (present: {names}).");
        }

        VerbsDeviceInfo dev = chosen.Value;
        error = platform.QueryPort(dev.Name, port, out byte linkLayer, out int portState);
        if (error is Errno.EPERM or Errno.EACCES)
        {
            return new(VerbsDiscoveryStatus.PermissionDenied,
                $"Opening {dev.Name} was refused ({Errno.Name(error)}): the process may not open its /dev/infiniband/uverbs file (add the user to the rdma group or run as root).",
                dev.Name, dev.Kind, port);
        }
        if (error != 0) return new(VerbsDiscoveryStatus.Failed, $"Opening {dev.Name} or querying port {port} failed with {Errno.Name(error)}.", dev.Name, dev.Kind, port);
        if (linkLayer != IbvPortAttr.LinkLayerEthernet)
        {
            return new(VerbsDiscoveryStatus.PortNotEthernet,
                $"Port {port} of {dev.Name} is not an Ethernet port (link layer {linkLayer}): raw packet queues need Ethernet.",
                dev.Name, dev.Kind, port);
        }
        if (portState != IbvPortAttr.PortActive)
        {
            return new(VerbsDiscoveryStatus.PortDown, $"Port {port} of {dev.Name} is not active (state {portState}): its link is down.", dev.Name, dev.Kind, port);
        }

        error = platform.ProbeRawPacket(dev.Name, port);
        if (error is Errno.EPERM or Errno.EACCES)
        {
            return new(VerbsDiscoveryStatus.RawPacketNotPermitted,
                $"Creating a RAW_PACKET queue pair on {dev.Name} was refused ({Errno.Name(error)}): the process needs CAP_NET_RAW.",
                dev.Name, dev.Kind, port);
        }
        if (error != 0) return new(VerbsDiscoveryStatus.Failed, $"Creating a RAW_PACKET queue pair on {dev.Name} failed with {Errno.Name(error)}.", dev.Name, dev.Kind, port);

        return new(VerbsDiscoveryStatus.Available, $"{dev.Name} port {port} is an active Ethernet port with raw packet access.", dev.Name, dev.Kind, port);
    }
}

namespace Junction.Devices.Verbs;

/// <summary>An RDMA device as the device list names it: kernel name and the driver bound to its PCI function.</summary>
internal readonly record struct VerbsDeviceInfo(string Name, string Driver)
{
    /// <summary>The NIC family, from the driver (mlx5_core, mana) or, where sysfs does not say, the name prefix.</summary>
    public VerbsNicKind Kind =>
        Driver == "mlx5_core" || (Driver.Length == 0 && Name.StartsWith("mlx5", StringComparison.Ordinal)) ? VerbsNicKind.Mlx5
        : Driver == "mana" || (Driver.Length == 0 && Name.StartsWith("mana", StringComparison.Ordinal)) ? VerbsNicKind.Mana
        : VerbsNicKind.Other;
}

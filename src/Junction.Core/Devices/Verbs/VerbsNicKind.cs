namespace Junction.Devices.Verbs;

/// <summary>The NIC family behind an RDMA device.</summary>
public enum VerbsNicKind
{
    /// <summary>Not a NIC family Junction knows (e.g. soft RoCE, another vendor).</summary>
    Other,

    /// <summary>NVIDIA/Mellanox ConnectX-4 and later (mlx5 driver), including Azure's ConnectX virtual functions.</summary>
    Mlx5,

    /// <summary>Microsoft Azure Network Adapter (mana driver).</summary>
    Mana,
}

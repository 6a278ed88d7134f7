namespace Junction.Devices.Xdp;

/// <summary>Whether the NIC may write frames straight into the UMEM.</summary>
public enum XdpCopyMode
{
    /// <summary>Zero-copy if the driver supports it (native mode only), otherwise copy (the fallback is logged).</summary>
    Auto,

    /// <summary>Zero-copy only; opening fails if the driver refuses it.</summary>
    ZeroCopy,

    /// <summary>Copy mode only.</summary>
    Copy,
}

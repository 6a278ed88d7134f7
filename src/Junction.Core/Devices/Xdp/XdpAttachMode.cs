namespace Junction.Devices.Xdp;

/// <summary>Where to run the XDP program.</summary>
public enum XdpAttachMode
{
    /// <summary>In the driver if it supports XDP, otherwise generic (the fallback is logged).</summary>
    Auto,

    /// <summary>In the driver only; opening fails if the driver has no XDP support.</summary>
    Native,

    /// <summary>Generic (SKB) mode only.</summary>
    Generic,
}

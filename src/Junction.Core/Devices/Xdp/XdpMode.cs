namespace Junction.Devices.Xdp;

/// <summary>How frames reach an XDP socket: where the XDP program runs and whether the NIC writes into the UMEM directly.</summary>
public enum XdpMode
{
    /// <summary>The program runs in the driver and the NIC DMAs straight into the UMEM (no copy).</summary>
    NativeZeroCopy,

    /// <summary>The program runs in the driver; the kernel copies each frame into the UMEM (veth, drivers without XSK support).</summary>
    NativeCopy,

    /// <summary>The program runs on socket buffers after the driver (works on every NIC, slowest on real hardware); always copies.</summary>
    GenericCopy,
}

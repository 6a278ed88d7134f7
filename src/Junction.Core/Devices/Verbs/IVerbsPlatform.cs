namespace Junction.Devices.Verbs;

/// <summary>
/// The steps of verbs discovery that touch the system, so the decisions between them can be tested without a NIC.
/// Every method reports failure as a Linux errno (0 for success) and never throws.
/// </summary>
internal interface IVerbsPlatform
{
    /// <summary>Whether libibverbs loads.</summary>
    bool TryLoadLibrary();

    /// <summary>Lists RDMA devices into <paramref name="devices"/>; the errno of <c>ibv_get_device_list</c> when it returns NULL.</summary>
    int ListDevices(List<VerbsDeviceInfo> devices);

    /// <summary>Opens the device and queries <paramref name="port"/>: its link layer (<c>IBV_LINK_LAYER_*</c>) and state.</summary>
    int QueryPort(string deviceName, byte port, out byte linkLayer, out int portState);

    /// <summary>Creates and destroys a minimal RAW_PACKET queue pair on the device (the CAP_NET_RAW check).</summary>
    int ProbeRawPacket(string deviceName, byte port);
}

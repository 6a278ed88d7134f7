namespace Junction.Devices.Verbs;

/// <summary>The outcome of <see cref="VerbsDiscovery"/>: a status and a one-sentence reason fit to show a user.</summary>
public sealed class VerbsDiscoveryResult
{
    internal VerbsDiscoveryResult(VerbsDiscoveryStatus status, string reason, string? deviceName = null, VerbsNicKind nicKind = VerbsNicKind.Other, byte port = 0)
    {
        Status = status;
        Reason = reason;
        DeviceName = deviceName;
        NicKind = nicKind;
        Port = port;
    }

    /// <summary>What was found.</summary>
    public VerbsDiscoveryStatus Status { get; }

    /// <summary>One sentence: why verbs can or cannot be used here.</summary>
    public string Reason { get; }

    /// <summary>The RDMA device considered (e.g. <c>mlx5_0</c>), when discovery got that far.</summary>
    public string? DeviceName { get; }

    /// <summary>The NIC family of <see cref="DeviceName"/>.</summary>
    public VerbsNicKind NicKind { get; }

    /// <summary>The port considered (1-based), when discovery got that far.</summary>
    public byte Port { get; }

    /// <summary>Whether a verbs device can be opened on <see cref="DeviceName"/> port <see cref="Port"/>.</summary>
    public bool IsAvailable => Status == VerbsDiscoveryStatus.Available;

    /// <inheritdoc/>
    public override string ToString() => Reason;
}

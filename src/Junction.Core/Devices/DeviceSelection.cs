using Junction.Devices.Verbs;

namespace Junction.Devices;

/// <summary>Which datapath <see cref="DeviceSelector"/> chose, and why.</summary>
public sealed class DeviceSelection
{
    internal DeviceSelection(DeviceKind kind, VerbsDiscoveryResult verbs)
    {
        Kind = kind;
        Verbs = verbs;
    }

    /// <summary>The chosen datapath.</summary>
    public DeviceKind Kind { get; }

    /// <summary>What verbs discovery found (the reason verbs was or was not chosen).</summary>
    public VerbsDiscoveryResult Verbs { get; }

    /// <summary>One sentence for logs: the choice and its reason.</summary>
    public string Reason => Kind == DeviceKind.Verbs
        ? $"Using rdma-core verbs: {Verbs.Reason}"
        : $"Using AF_XDP: rdma-core verbs is unavailable. {Verbs.Reason}";

    /// <inheritdoc/>
    public override string ToString() => Reason;
}

namespace Junction.Devices;

/// <summary>Work a device does so the stack need not.</summary>
[Flags]
public enum DeviceCapabilities
{
    /// <summary>The stack computes and verifies every checksum itself.</summary>
    None = 0,

    /// <summary>The device verified IPv4/TCP/UDP checksums of received frames; the stack may skip verifying.</summary>
    RxChecksumOffload = 1 << 0,

    /// <summary>The device fills in IPv4/TCP/UDP checksums on transmit; the stack may leave them zero.</summary>
    TxChecksumOffload = 1 << 1,
}

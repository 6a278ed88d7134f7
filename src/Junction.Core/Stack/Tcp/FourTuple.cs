using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>The addresses and ports that name one TCP connection, seen from this side.</summary>
public readonly record struct FourTuple(Ipv4Address LocalAddress, ushort LocalPort, Ipv4Address RemoteAddress, ushort RemotePort)
{
    /// <inheritdoc/>
    public override int GetHashCode() =>
        (int)(LocalAddress.Value * 0x9E3779B1u ^ RemoteAddress.Value * 0x85EBCA77u ^ ((uint)LocalPort << 16 | RemotePort) * 0xC2B2AE3Du);

    /// <inheritdoc/>
    public override string ToString() => $"{LocalAddress}:{LocalPort}<->{RemoteAddress}:{RemotePort}";
}

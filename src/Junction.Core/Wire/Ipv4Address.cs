using System.Buffers.Binary;
using System.Net;

namespace Junction.Wire;

/// <summary>An IPv4 address held as a host-order 32-bit value: cheap to compare, hash and mask.</summary>
public readonly record struct Ipv4Address(uint Value)
{
    /// <summary>0.0.0.0, "any address" when binding.</summary>
    public static readonly Ipv4Address Any;

    /// <summary>255.255.255.255.</summary>
    public static readonly Ipv4Address Broadcast = new(0xFFFF_FFFF);

    /// <summary>Builds an address from its four dotted-quad bytes.</summary>
    public Ipv4Address(byte a, byte b, byte c, byte d) : this((uint)(a << 24 | b << 16 | c << 8 | d)) { }

    /// <summary>Reads an address stored in network order.</summary>
    public static Ipv4Address Read(ReadOnlySpan<byte> fourBytes) => new(BinaryPrimitives.ReadUInt32BigEndian(fourBytes));

    /// <summary>Writes the address in network order.</summary>
    public void Write(Span<byte> fourBytes) => BinaryPrimitives.WriteUInt32BigEndian(fourBytes, Value);

    /// <summary>Parses dotted-quad text such as "10.0.0.1".</summary>
    public static Ipv4Address Parse(string text) => FromIPAddress(IPAddress.Parse(text));

    /// <summary>Converts from <see cref="IPAddress"/>; throws for anything but IPv4.</summary>
    public static Ipv4Address FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException("Only IPv4 addresses are supported.", nameof(address));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return Read(bytes);
    }

    /// <summary>Converts to <see cref="IPAddress"/> (allocates; not for the packet path).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[4];
        Write(bytes);
        return new IPAddress(bytes);
    }

    /// <summary>Whether this is 0.0.0.0.</summary>
    public bool IsAny => Value == 0;

    /// <summary>Whether this is a multicast (class D) address.</summary>
    public bool IsMulticast => (Value >> 28) == 0xE;

    /// <summary>Whether this is the limited broadcast address.</summary>
    public bool IsBroadcast => Value == 0xFFFF_FFFF;

    /// <summary>Whether both addresses share the first <paramref name="prefixLength"/> bits.</summary>
    public bool IsInSameSubnet(Ipv4Address other, int prefixLength)
    {
        uint mask = prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
        return (Value & mask) == (other.Value & mask);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}";
}

using System.Buffers.Binary;
using System.Globalization;

namespace Junction.Wire;

/// <summary>A 48-bit Ethernet address held in the low bits of a 64-bit value.</summary>
public readonly record struct MacAddress(ulong Value)
{
    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static readonly MacAddress Broadcast = new(0xFFFF_FFFF_FFFFUL);

    /// <summary>00:00:00:00:00:00.</summary>
    public static readonly MacAddress Zero;

    /// <summary>Reads an address from six bytes in wire order.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> sixBytes) =>
        new((ulong)BinaryPrimitives.ReadUInt16BigEndian(sixBytes) << 32 | BinaryPrimitives.ReadUInt32BigEndian(sixBytes[2..]));

    /// <summary>Writes the address as six bytes in wire order.</summary>
    public void Write(Span<byte> sixBytes)
    {
        BinaryPrimitives.WriteUInt16BigEndian(sixBytes, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(sixBytes[2..], (uint)Value);
    }

    /// <summary>Whether the group bit is set (broadcast or multicast).</summary>
    public bool IsMulticast => (Value & 0x0100_0000_0000UL) != 0;

    /// <summary>Whether this is the broadcast address.</summary>
    public bool IsBroadcast => Value == Broadcast.Value;

    /// <summary>A locally administered unicast address derived from a number (for tests and virtual ports).</summary>
    public static MacAddress LocallyAdministered(uint id) => new(0x0200_0000_0000UL | id);

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" (or with dashes).</summary>
    public static MacAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':', '-');
        if (parts.Length != 6) throw new FormatException($"'{text}' is not a MAC address.");
        ulong value = 0;
        foreach (string part in parts)
            value = value << 8 | byte.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new MacAddress(value);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Value >> 40) & 0xFF:x2}:{(Value >> 32) & 0xFF:x2}:{(Value >> 24) & 0xFF:x2}:{(Value >> 16) & 0xFF:x2}:{(Value >> 8) & 0xFF:x2}:{Value & 0xFF:x2}");
}

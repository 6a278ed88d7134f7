using System.Buffers.Binary;

namespace Junction.Wire;

/// <summary>The Ethernet II header: destination, source, EtherType (no 802.1Q tag).</summary>
internal static class EthernetFrame
{
    /// <summary>Length of the header in bytes.</summary>
    public const int HeaderLength = 14;

    /// <summary>Reads the header; false when the frame is shorter than <see cref="HeaderLength"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out MacAddress destination, out MacAddress source, out ushort etherType)
    {
        if (frame.Length < HeaderLength)
        {
            destination = default;
            source = default;
            etherType = 0;
            return false;
        }
        destination = MacAddress.Read(frame);
        source = MacAddress.Read(frame[6..]);
        etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        return true;
    }

    /// <summary>Writes the 14-byte header at the start of <paramref name="frame"/>.</summary>
    public static void Emit(Span<byte> frame, MacAddress destination, MacAddress source, ushort etherType)
    {
        destination.Write(frame);
        source.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }
}

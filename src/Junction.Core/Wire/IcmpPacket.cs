using System.Buffers.Binary;

namespace Junction.Wire;

/// <summary>The ICMPv4 header (RFC 792): type, code, checksum over the whole message, four type-specific bytes.</summary>
internal static class IcmpPacket
{
    /// <summary>Length of the header; the body is <c>message[8..]</c>.</summary>
    public const int HeaderLength = 8;

    /// <summary>Reads the header; the checksum covers the whole <paramref name="message"/>.</summary>
    public static WireError TryParse(ReadOnlySpan<byte> message, bool verifyChecksum, out IcmpRepr repr)
    {
        repr = default;
        if (message.Length < HeaderLength) return WireError.Truncated;
        if (verifyChecksum && Checksum.Compute(message) != 0) return WireError.BadChecksum;
        repr.Type = message[0];
        repr.Code = message[1];
        repr.RestOfHeader = BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
        return WireError.None;
    }

    /// <summary>
    /// Writes the header, copies <paramref name="payload"/> after it (it may already sit there, as when a request
    /// is turned into a reply in place) and fills the checksum over the <c>8 + payload.Length</c> bytes.
    /// </summary>
    public static void Emit(in IcmpRepr repr, ReadOnlySpan<byte> payload, Span<byte> message)
    {
        Span<byte> body = message.Slice(HeaderLength, payload.Length);
        payload.CopyTo(body);
        message[0] = repr.Type;
        message[1] = repr.Code;
        message[2] = 0;
        message[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], repr.RestOfHeader);
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], Checksum.Compute(message[..(HeaderLength + payload.Length)]));
    }
}

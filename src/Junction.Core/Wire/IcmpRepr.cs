namespace Junction.Wire;

/// <summary>The meaning of an ICMPv4 header; the message body follows the 8 header bytes.</summary>
internal struct IcmpRepr
{
    /// <summary>Message type (see <see cref="IcmpType"/>).</summary>
    public byte Type;
    /// <summary>Message code.</summary>
    public byte Code;
    /// <summary>Bytes 4..7 of the header; for echo messages <c>identifier &lt;&lt; 16 | sequence</c>.</summary>
    public uint RestOfHeader;

    /// <summary>The echo identifier (high half of <see cref="RestOfHeader"/>).</summary>
    public readonly ushort EchoIdentifier => (ushort)(RestOfHeader >> 16);

    /// <summary>The echo sequence number (low half of <see cref="RestOfHeader"/>).</summary>
    public readonly ushort EchoSequence => (ushort)RestOfHeader;

    /// <summary>An echo request or reply header.</summary>
    public static IcmpRepr Echo(byte type, ushort identifier, ushort sequence) =>
        new() { Type = type, Code = 0, RestOfHeader = (uint)identifier << 16 | sequence };
}

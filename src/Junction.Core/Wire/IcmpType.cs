namespace Junction.Wire;

/// <summary>ICMPv4 message types (RFC 792) the stack sends or recognises.</summary>
internal static class IcmpType
{
    /// <summary>Echo reply.</summary>
    public const byte EchoReply = 0;
    /// <summary>Destination unreachable.</summary>
    public const byte DestinationUnreachable = 3;
    /// <summary>Source quench (deprecated, RFC 6633).</summary>
    public const byte SourceQuench = 4;
    /// <summary>Redirect.</summary>
    public const byte Redirect = 5;
    /// <summary>Echo request.</summary>
    public const byte EchoRequest = 8;
    /// <summary>Time exceeded.</summary>
    public const byte TimeExceeded = 11;
    /// <summary>Parameter problem.</summary>
    public const byte ParameterProblem = 12;
}

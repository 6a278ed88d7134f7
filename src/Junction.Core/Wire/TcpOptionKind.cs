namespace Junction.Wire;

/// <summary>TCP option kinds and the lengths Linux accepts for them.</summary>
internal static class TcpOptionKind
{
    /// <summary>End of option list.</summary>
    public const byte EndOfList = 0;
    /// <summary>No operation (padding).</summary>
    public const byte Nop = 1;
    /// <summary>Maximum segment size (RFC 9293).</summary>
    public const byte Mss = 2;
    /// <summary>Window scale (RFC 7323).</summary>
    public const byte WindowScale = 3;
    /// <summary>SACK permitted (RFC 2018).</summary>
    public const byte SackPermitted = 4;
    /// <summary>SACK blocks (RFC 2018).</summary>
    public const byte Sack = 5;
    /// <summary>Timestamps (RFC 7323).</summary>
    public const byte Timestamp = 8;

    /// <summary>Length of the MSS option.</summary>
    public const int MssLength = 4;
    /// <summary>Length of the window scale option.</summary>
    public const int WindowScaleLength = 3;
    /// <summary>Length of the SACK-permitted option.</summary>
    public const int SackPermittedLength = 2;
    /// <summary>Length of the SACK option without blocks.</summary>
    public const int SackBaseLength = 2;
    /// <summary>Bytes per SACK block.</summary>
    public const int SackBlockLength = 8;
    /// <summary>Length of the timestamps option.</summary>
    public const int TimestampLength = 10;

    /// <summary>The largest window scale shift a receiver honours (RFC 7323 2.3).</summary>
    public const byte MaxWindowScale = 14;
    /// <summary>Room for options in a header (60 - 20).</summary>
    public const int MaxOptionsLength = 40;
}

using System.Runtime.CompilerServices;

namespace Junction.Wire;

/// <summary>One SACK block: the receiver holds [Left, Right) (RFC 2018).</summary>
internal readonly record struct SackBlock(TcpSeq Left, TcpSeq Right);

/// <summary>Room for the at most four SACK blocks a TCP header can carry, inline (no allocation).</summary>
[InlineArray(4)]
internal struct SackBlockArray
{
    private SackBlock _element0;
}

using System.Buffers.Binary;
using Junction.Wire;

namespace Junction.Stack.Tcp;

/// <summary>
/// SYN cookies, in the manner of Linux: under a SYN flood a listener answers with a SYN-ACK whose sequence
/// number encodes what it needs to know (a coarse time counter and the MSS) authenticated by a keyed hash, keeps
/// no state, and rebuilds the connection from the ACK that returns the cookie.
/// </summary>
/// <remarks>
/// Layout of the 32-bit cookie, added to the peer's ISN and a per-tuple hash so that it looks random:
/// the top 8 bits hold a 64-second counter, the low 2 bits the MSS table index, and the 22 bits between them a
/// second hash over the tuple, the counter and the index, so that no part of the cookie can be altered. A cookie is accepted during the counter's period and the next one (64 to 128
/// seconds). Window scale and SACK-permitted, which the cookie has no room for, ride in the low bits of our
/// timestamp value when the peer uses timestamps (see <see cref="EncodeTimestamp"/>).
/// </remarks>
internal sealed class SynCookies
{
    private const long CounterPeriodMicroseconds = 64_000_000;
    private const int MaxCounterAge = 1;
    private const byte SequenceDomain = 0x53;
    private const byte AuthenticatorDomain = 0x41;
    private const int IndexBits = 2;
    private const uint IndexMask = (1u << IndexBits) - 1;
    private const uint AuthenticatorMask = 0x00FF_FFFF & ~IndexMask;

    // Timestamp option bits, as Linux packs them: window scale in bits 0-3 (15 = none), SACK in bit 4, bit 5
    // reserved for ECN (which this stack does not negotiate), so 6 bits are taken from the clock.
    private const int TimestampOptionBits = 6;
    private const uint TimestampOptionMask = (1u << TimestampOptionBits) - 1;
    private const uint NoWindowScale = 0xF;
    private const uint SackPermittedBit = 0x10;
    private const int MaxWindowScale = 14;

    private static readonly ushort[] s_mssTable = [536, 1300, 1440, 1460]; // at most 1 << IndexBits entries

    private readonly ulong _k0;
    private readonly ulong _k1;

    /// <summary>Creates cookies keyed with a 16-byte secret (random per listener or stack).</summary>
    public SynCookies(ReadOnlySpan<byte> key16)
    {
        if (key16.Length != 16) throw new ArgumentException("The SYN cookie secret must be 16 bytes.", nameof(key16));
        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key16);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key16[8..]);
    }

    /// <summary>The MSS values a cookie can carry, ascending (the common IPv4 path MSSs).</summary>
    public static ReadOnlySpan<ushort> MssTable => s_mssTable;

    /// <summary>
    /// Our ISN for the SYN-ACK to a SYN from <paramref name="tuple"/>. <paramref name="mss"/> is the MSS the
    /// cookie carries: the largest table entry not above the peer's, or the smallest entry (536, the RFC 9293
    /// default) when the peer's is smaller still.
    /// </summary>
    public TcpSeq Create(in FourTuple tuple, TcpSeq peerIsn, int peerMss, Instant now, out int mss)
    {
        int index = 0;
        for (int i = s_mssTable.Length - 1; i > 0; i--)
        {
            if (s_mssTable[i] <= peerMss)
            {
                index = i;
                break;
            }
        }
        mss = s_mssTable[index];

        uint counter = Counter(now);
        uint low = Authenticator(tuple, counter, (uint)index) | (uint)index;
        uint cookie = unchecked(SequenceOffset(tuple) + peerIsn.Value + (counter << 24) + low);
        return new TcpSeq(cookie);
    }

    /// <summary>
    /// Checks the cookie that an ACK returns (<paramref name="peerIsn"/> = SEG.SEQ - 1, <paramref name="cookie"/> =
    /// SEG.ACK - 1). True, with the MSS it carries, when it was made for this tuple and ISN within the last 64 to
    /// 128 seconds.
    /// </summary>
    public bool TryValidate(in FourTuple tuple, TcpSeq peerIsn, TcpSeq cookie, Instant now, out int mss)
    {
        mss = 0;
        uint value = unchecked(cookie.Value - SequenceOffset(tuple) - peerIsn.Value);
        uint current = Counter(now);
        uint age = (current - (value >> 24)) & 0xFF;
        if (age > MaxCounterAge) return false;

        uint counter = current - age;
        uint index = value & IndexMask;
        if (index >= (uint)s_mssTable.Length || (value & AuthenticatorMask) != Authenticator(tuple, counter, index)) return false;
        mss = s_mssTable[(int)index];
        return true;
    }

    /// <summary>
    /// Our TSval for a cookie SYN-ACK: <paramref name="tsVal"/> with its low 6 bits replaced by the peer's window
    /// scale (-1 for none) and SACK-permitted, moved back one step if that would put it ahead of the clock (as
    /// Linux's cookie_init_timestamp does). The peer echoes it in TSecr on its ACK.
    /// </summary>
    public static uint EncodeTimestamp(uint tsVal, bool sackPermitted, int windowScale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowScale, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowScale, MaxWindowScale);
        uint options = windowScale < 0 ? NoWindowScale : (uint)windowScale;
        if (sackPermitted) options |= SackPermittedBit;
        uint encoded = (tsVal & ~TimestampOptionMask) | options;
        if (encoded > tsVal) encoded -= 1u << TimestampOptionBits;
        return encoded;
    }

    /// <summary>Reads back what <see cref="EncodeTimestamp"/> stored; false when the bits cannot be ours.</summary>
    public static bool TryDecodeTimestamp(uint tsEcr, out bool sackPermitted, out int windowScale)
    {
        uint options = tsEcr & TimestampOptionMask;
        sackPermitted = (options & SackPermittedBit) != 0;
        uint scale = options & 0xF;
        windowScale = scale == NoWindowScale ? -1 : (int)scale;
        bool valid = (options & ~(SackPermittedBit | 0xFu)) == 0 && (scale == NoWindowScale || scale <= MaxWindowScale);
        if (!valid)
        {
            sackPermitted = false;
            windowScale = -1;
        }
        return valid;
    }

    private static uint Counter(Instant now) => unchecked((uint)(now.Microseconds / CounterPeriodMicroseconds));

    private uint SequenceOffset(in FourTuple tuple) => (uint)SipHash.HashTuple(_k0, _k1, tuple, 0, SequenceDomain);

    private uint Authenticator(in FourTuple tuple, uint counter, uint index) =>
        (uint)SipHash.HashTuple(_k0, _k1, tuple, counter << IndexBits | index, AuthenticatorDomain) & AuthenticatorMask;
}

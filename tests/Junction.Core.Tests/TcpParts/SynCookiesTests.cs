using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.TcpParts;

public class SynCookiesTests
{
    private static readonly byte[] s_key = Enumerable.Range(7, 16).Select(i => (byte)(i * 13)).ToArray();
    private static readonly FourTuple s_tuple = new(new Ipv4Address(192, 168, 1, 1), 443, new Ipv4Address(203, 0, 113, 9), 51_515);
    private static readonly TcpSeq s_peerIsn = new(0xFFFF_FF00);
    private static readonly Instant s_now = Instant.FromMilliseconds(1_234_567);

    [Theory]
    [InlineData(1460, 1460)]
    [InlineData(9000, 1460)]
    [InlineData(1450, 1440)]
    [InlineData(1440, 1440)]
    [InlineData(1400, 1300)]
    [InlineData(1000, 536)]
    [InlineData(536, 536)]
    public void Round_trips_the_largest_table_mss_not_above_the_peers(int peerMss, int expected)
    {
        var cookies = new SynCookies(s_key);
        TcpSeq cookie = cookies.Create(s_tuple, s_peerIsn, peerMss, s_now, out int mss);
        Assert.Equal(expected, mss);

        Assert.True(cookies.TryValidate(s_tuple, s_peerIsn, cookie, s_now + TimeSpan.FromSeconds(1), out int decoded));
        Assert.Equal(expected, decoded);
    }

    [Fact]
    public void Every_table_entry_round_trips()
    {
        var cookies = new SynCookies(s_key);
        foreach (ushort entry in SynCookies.MssTable)
        {
            TcpSeq cookie = cookies.Create(s_tuple, s_peerIsn, entry, s_now, out int mss);
            Assert.Equal(entry, mss);
            Assert.True(cookies.TryValidate(s_tuple, s_peerIsn, cookie, s_now, out int decoded));
            Assert.Equal(entry, decoded);
        }
    }

    [Fact]
    public void Rejects_a_cookie_for_another_tuple_isn_or_key_or_a_tampered_cookie()
    {
        var cookies = new SynCookies(s_key);
        TcpSeq cookie = cookies.Create(s_tuple, s_peerIsn, 1460, s_now, out _);

        Assert.False(cookies.TryValidate(s_tuple with { RemotePort = 51_516 }, s_peerIsn, cookie, s_now, out _));
        Assert.False(cookies.TryValidate(s_tuple with { RemoteAddress = new Ipv4Address(203, 0, 113, 10) }, s_peerIsn, cookie, s_now, out _));
        Assert.False(cookies.TryValidate(s_tuple with { LocalPort = 444 }, s_peerIsn, cookie, s_now, out _));
        Assert.False(cookies.TryValidate(s_tuple, s_peerIsn + 1, cookie, s_now, out _));
        Assert.False(new SynCookies(new byte[16]).TryValidate(s_tuple, s_peerIsn, cookie, s_now, out _));
        for (int bit = 0; bit < 32; bit++)
        {
            var tampered = new TcpSeq(cookie.Value ^ (1u << bit));
            Assert.False(cookies.TryValidate(s_tuple, s_peerIsn, tampered, s_now, out _), $"bit {bit}");
        }
    }

    [Fact]
    public void Random_guesses_are_rejected()
    {
        var cookies = new SynCookies(s_key);
        var random = new Random(11);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            if (cookies.TryValidate(s_tuple, s_peerIsn, new TcpSeq((uint)random.NextInt64(0, 1L << 32)), s_now, out _))
                accepted++;
        }
        Assert.True(accepted <= 1, $"{accepted} guesses accepted");
    }

    [Fact]
    public void Expires_after_two_counter_periods()
    {
        var cookies = new SynCookies(s_key);
        Instant created = Instant.FromMilliseconds(64_000 * 10 + 63_000); // late in a period
        TcpSeq cookie = cookies.Create(s_tuple, s_peerIsn, 1460, created, out _);

        Assert.True(cookies.TryValidate(s_tuple, s_peerIsn, cookie, created + TimeSpan.FromSeconds(60), out _));
        Assert.False(cookies.TryValidate(s_tuple, s_peerIsn, cookie, created + TimeSpan.FromSeconds(66), out _));

        Instant early = Instant.FromMilliseconds(64_000 * 20); // start of a period: valid for the full 128 s
        cookie = cookies.Create(s_tuple, s_peerIsn, 1460, early, out _);
        Assert.True(cookies.TryValidate(s_tuple, s_peerIsn, cookie, early + TimeSpan.FromSeconds(127), out _));
        Assert.False(cookies.TryValidate(s_tuple, s_peerIsn, cookie, early + TimeSpan.FromSeconds(129), out _));
        Assert.False(cookies.TryValidate(s_tuple, s_peerIsn, cookie, early + TimeSpan.FromMinutes(30), out _));
    }

    [Fact]
    public void Cookies_for_different_peers_look_unrelated()
    {
        var cookies = new SynCookies(s_key);
        TcpSeq a = cookies.Create(s_tuple, s_peerIsn, 1460, s_now, out _);
        TcpSeq b = cookies.Create(s_tuple with { RemotePort = 51_516 }, s_peerIsn, 1460, s_now, out _);
        Assert.True(Math.Abs(a - b) > 1 << 16);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(7, false)]
    [InlineData(14, true)]
    public void Timestamp_carries_window_scale_and_sack(int windowScale, bool sack)
    {
        foreach (uint tsVal in new uint[] { 0x1234_5678, 0x1234_5640, 0x0000_0100, 0xFFFF_FFFF })
        {
            uint encoded = SynCookies.EncodeTimestamp(tsVal, sack, windowScale);
            Assert.True(encoded <= tsVal, "never ahead of the clock");
            Assert.True(tsVal - encoded < 128, "close to the clock");
            Assert.True(SynCookies.TryDecodeTimestamp(encoded, out bool decodedSack, out int decodedScale));
            Assert.Equal(sack, decodedSack);
            Assert.Equal(windowScale, decodedScale);
        }
    }

    [Fact]
    public void Timestamp_with_the_ecn_bit_we_never_set_is_rejected()
    {
        Assert.False(SynCookies.TryDecodeTimestamp(0x1234_5620, out _, out _));
        Assert.True(SynCookies.TryDecodeTimestamp(0x1234_561F, out bool sack, out int scale));
        Assert.True(sack);
        Assert.Equal(-1, scale);
    }

    [Fact]
    public void Creating_and_validating_cookies_and_isns_does_not_allocate()
    {
        var cookies = new SynCookies(s_key);
        var isn = new IsnGenerator(s_key);
        int valid = 0;
        void Run()
        {
            for (int i = 0; i < 1_000; i++)
            {
                TcpSeq cookie = cookies.Create(s_tuple, s_peerIsn + i, 1460, s_now, out _);
                if (cookies.TryValidate(s_tuple, s_peerIsn + i, cookie, s_now, out _)) valid++;
                _ = isn.Next(s_tuple, s_now);
            }
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2_000, valid);
    }
}

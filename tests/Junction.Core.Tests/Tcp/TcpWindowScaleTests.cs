using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Tcp;

/// <summary>The window scale we offer and the windows we advertise (RFC 7323 2), as Linux does by default.</summary>
public sealed class TcpWindowScaleTests
{
    [Fact]
    public void Syn_offers_window_scale_7_with_an_unscaled_65535_window_by_default()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, TcpHarness.RemotePort, TcpHarness.LocalPort);
        h.Poll();
        SentSegment syn = h.Expect(TcpFlags.Syn);
        Assert.True(syn.Header.HasWindowScale);
        Assert.Equal(7, syn.Header.WindowScale);
        Assert.Equal(65535, syn.Header.Window);
        c.Abort();
    }

    [Fact]
    public void Syn_ack_and_cookie_syn_ack_offer_window_scale_7_by_default()
    {
        using var h = new TcpHarness(s => s.SynQueueLength = 1);
        h.Listener = h.Layer.Listen(Ipv4Address.Any, TcpHarness.LocalPort, 8);
        h.Inject(h.PeerSyn());
        SentSegment synAck = h.Expect(TcpFlags.Syn | TcpFlags.Ack);
        Assert.Equal(7, synAck.Header.WindowScale);
        Assert.Equal(65535, synAck.Header.Window);
        h.Inject(h.PeerSyn(), source: new Ipv4Address(10, 0, 0, 99)); // the SYN queue is full: a cookie answers
        SentSegment cookie = h.Expect(TcpFlags.Syn | TcpFlags.Ack);
        Assert.Equal(1, h.Layer.Statistics.SynCookiesSent);
        Assert.Equal(7, cookie.Header.WindowScale);
        Assert.Equal(65535, cookie.Header.Window);
    }

    [Theory]
    [InlineData(256 * 1024, 256 * 1024, 3)]
    [InlineData(256 * 1024, 1 << 20, 5)]
    [InlineData(64 * 1024, 6 << 20, 7)]
    [InlineData(64 * 1024, 16 << 20, 9)]
    [InlineData(4 << 20, 1 << 20, 7)] // a maximum below the initial buffer: the initial buffer decides
    [InlineData(32 * 1024, 32 * 1024, 0)]
    public void Offered_scale_is_derived_from_the_maximum_receive_buffer_not_the_initial_one(int initial, int maximum, int scale)
    {
        using var h = new TcpHarness(s =>
        {
            s.ReceiveBufferSize = initial;
            s.MaxReceiveBufferSize = maximum;
        });
        TcpConnection c = h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, TcpHarness.RemotePort, TcpHarness.LocalPort);
        h.Poll();
        Assert.Equal(scale, h.Expect(TcpFlags.Syn).Header.WindowScale);
        c.Abort();
    }

    [Fact]
    public void First_window_after_the_handshake_is_the_initial_64_KiB_in_units_of_128_bytes()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(100);
        SentSegment ack = h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        // The right edge offered on the SYN-ACK (RCV.NXT + 65535) stays; rounding to the scale may only move it right.
        Assert.InRange(ack.Header.Window << 7, 65535 - 100, 65535 - 100 + 127);
        c.Abort();
    }

    [Fact]
    public void Receive_buffer_raised_after_the_handshake_can_be_advertised_beyond_64_KiB()
    {
        // The scale comes from the maximum buffer, so a 64 KiB initial buffer (which alone would need no scale) can
        // grow later and the window field still describes it.
        using var h = new TcpHarness(s => s.ReceiveBufferSize = 64 * 1024);
        TcpConnection c = h.AcceptConnection();
        int scale = h.Output.Sent[0].Header.WindowScale; // as the SYN-ACK offered it
        c.ReceiveBufferSize = 1 << 20;
        byte[] sink = new byte[1000];
        SentSegment? last = null;
        for (int i = 0; i < 100; i++)
        {
            h.PeerSend(1000);
            Assert.Equal(1000, c.Receive(sink));
            h.Poll();
            foreach (SentSegment s in h.TakeAll()) last = s;
        }
        Assert.NotNull(last);
        Assert.Equal(h.PeerSeq, last.Ack);
        Assert.True(last.Header.Window << scale > 65535, $"window {last.Header.Window} << {scale}");
        c.Abort();
    }
}

using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Tcp;

/// <summary>Details where the stack follows what Linux does rather than the letter of the RFCs.</summary>
public sealed class TcpLinuxParityTests
{
    [Fact]
    public void Shortening_keepalive_time_after_enabling_keepalive_rearms_the_timer()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection(ts: false);
        c.KeepAlive = true; // armed for the default idle time, two hours
        c.KeepAliveTime = TimeSpan.FromSeconds(1);
        h.RunUntil(h.Now + TimeSpan.FromMilliseconds(1100));
        h.Expect(TcpFlags.Ack, seq: h.OurIss, length: 0); // the probe: one byte below SND.NXT
        Assert.Equal(1, h.Layer.Statistics.KeepAliveProbes);
        c.Abort();
    }

    [Fact]
    public void Retransmission_timeout_is_srtt_plus_the_floored_variance_as_linux()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection(handshakeRtt: TimeSpan.FromMilliseconds(100));
        TcpSeq next = h.OurIss + 1;
        // Steady 100 ms round trips: RTTVAR shrinks, so RFC 6298 would give max(SRTT + 4 * RTTVAR, 200 ms) ~ 200 ms.
        for (int i = 0; i < 12; i++)
        {
            c.Send(new byte[100]);
            h.Poll();
            h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: next, length: 100);
            next += 100;
            h.Advance(TimeSpan.FromMilliseconds(100));
            h.Inject(h.PeerAck(next));
        }
        c.Send(new byte[100]);
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: next, length: 100);
        Instant sent = h.Now;
        h.RunUntil(sent + TimeSpan.FromMilliseconds(250));
        h.ExpectNothing();
        h.RunUntil(sent + TimeSpan.FromMilliseconds(310));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: next, length: 100);
        c.Abort();
    }
}

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
}

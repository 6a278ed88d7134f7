using Junction.Stack.Tcp;

namespace Junction.Tests.TcpParts;

public class RttEstimatorTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static RttEstimator Create() => new(TimeSpan.FromSeconds(1), Ms(200), TimeSpan.FromSeconds(60));

    [Fact]
    public void Starts_at_the_initial_rto_without_a_sample()
    {
        var rtt = Create();
        Assert.False(rtt.HasSample);
        Assert.Equal(TimeSpan.FromSeconds(1), rtt.Rto);
        Assert.Equal(TimeSpan.FromSeconds(1), rtt.SmoothedRtt);
    }

    [Fact]
    public void First_sample_sets_srtt_to_r_and_rttvar_to_half()
    {
        var rtt = Create();
        rtt.AddSample(Ms(100));
        Assert.True(rtt.HasSample);
        Assert.Equal(Ms(100), rtt.SmoothedRtt);
        Assert.Equal(Ms(50), rtt.RttVariation);
        Assert.Equal(Ms(300), rtt.Rto); // 100 + max(4 * 50, 200)
    }

    [Fact]
    public void Later_samples_use_alpha_one_eighth_and_beta_one_quarter()
    {
        var rtt = Create();
        rtt.AddSample(Ms(100));
        rtt.AddSample(Ms(180));
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 57.5; SRTT = 7/8 * 100 + 1/8 * 180 = 110.
        Assert.Equal(Ms(57.5), rtt.RttVariation);
        Assert.Equal(Ms(110), rtt.SmoothedRtt);
        Assert.Equal(Ms(340), rtt.Rto);
        Assert.Equal(Ms(100), rtt.MinRtt);
        Assert.Equal(Ms(180), rtt.LatestRtt);
    }

    [Fact]
    public void Rto_floor_applies_to_the_variance_term_as_linux_and_clock_granularity_when_variation_vanishes()
    {
        var rtt = new RttEstimator(TimeSpan.FromSeconds(1), Ms(0.5), TimeSpan.FromSeconds(60));
        for (int i = 0; i < 200; i++) rtt.AddSample(Ms(10));
        Assert.Equal(Ms(10), rtt.SmoothedRtt);
        Assert.Equal(Ms(11), rtt.Rto); // SRTT + G when 4 * RTTVAR < 1 ms

        var clamped = Create();
        clamped.AddSample(Ms(1));
        Assert.Equal(Ms(201), clamped.Rto); // SRTT + max(4 * RTTVAR, 200 ms)

        var steady = Create();
        for (int i = 0; i < 200; i++) steady.AddSample(Ms(100));
        Assert.Equal(Ms(300), steady.Rto); // RFC 6298 would clamp SRTT + 4 * RTTVAR to 200 ms
    }

    [Fact]
    public void Backoff_doubles_up_to_the_maximum_and_a_sample_clears_it()
    {
        var rtt = Create();
        rtt.AddSample(Ms(100));
        rtt.Backoff();
        Assert.Equal(Ms(600), rtt.Rto);
        rtt.Backoff();
        Assert.Equal(Ms(1200), rtt.Rto);
        for (int i = 0; i < 100; i++) rtt.Backoff();
        Assert.Equal(TimeSpan.FromSeconds(60), rtt.Rto);

        rtt.AddSample(Ms(100));
        Assert.True(rtt.Rto < Ms(400));
    }

    [Fact]
    public void Min_rtt_tracks_the_smallest_sample()
    {
        var rtt = Create();
        rtt.AddSample(Ms(40));
        rtt.AddSample(Ms(25));
        rtt.AddSample(Ms(90));
        Assert.Equal(Ms(25), rtt.MinRtt);
        Assert.Equal(Ms(90), rtt.LatestRtt);
    }
}

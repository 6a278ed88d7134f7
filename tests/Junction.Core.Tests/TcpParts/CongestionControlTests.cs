using Junction.Stack.Tcp.Congestion;

namespace Junction.Tests.TcpParts;

public class CongestionControlTests
{
    private const int Mss = 1000;

    /// <summary>
    /// One round trip of a sender that keeps its window full: a window's worth of ACKs, each acknowledging
    /// <paramref name="segmentsPerAck"/> segments, spread evenly over the RTT. Returns the time after the round.
    /// </summary>
    private static Instant RunRoundTrip(CongestionController cc, Instant start, TimeSpan rtt, int segmentsPerAck = 1)
    {
        int window = cc.Window;
        int perAck = segmentsPerAck * Mss;
        int acks = (window + perAck - 1) / perAck;
        for (int i = 0; i < acks; i++)
        {
            Instant at = start + rtt * (i + 1) / acks;
            int acked = Math.Min(perAck, window - i * perAck);
            cc.OnAck(acked, Math.Max(cc.Window, window), rtt, at);
        }
        return start + rtt;
    }

    [Theory]
    [InlineData(CongestionControlAlgorithm.NewReno)]
    [InlineData(CongestionControlAlgorithm.Cubic)]
    public void Slow_start_doubles_the_window_every_round_trip(CongestionControlAlgorithm algorithm)
    {
        var cc = CongestionControllerFactory.Create(algorithm, Mss, 10);
        Assert.Equal(10 * Mss, cc.Window);
        Assert.True(cc.InSlowStart);

        Instant now = Instant.Zero;
        for (int round = 1; round <= 4; round++)
        {
            now = RunRoundTrip(cc, now, TimeSpan.FromMilliseconds(50));
            Assert.Equal((10 << round) * Mss, cc.Window);
        }
    }

    [Theory]
    [InlineData(CongestionControlAlgorithm.NewReno)]
    [InlineData(CongestionControlAlgorithm.Cubic)]
    public void Slow_start_grows_by_every_byte_a_stretch_ack_acknowledges_as_linux(CongestionControlAlgorithm algorithm)
    {
        var cc = CongestionControllerFactory.Create(algorithm, Mss, 10);
        cc.OnAck(8 * Mss, 10 * Mss, TimeSpan.FromMilliseconds(10), Instant.Zero);
        Assert.Equal(18 * Mss, cc.Window);
        cc.OnAck(500, 18 * Mss, TimeSpan.FromMilliseconds(10), Instant.Zero);
        Assert.Equal(18 * Mss + 500, cc.Window);
    }

    [Theory]
    [InlineData(CongestionControlAlgorithm.NewReno)]
    [InlineData(CongestionControlAlgorithm.Cubic)]
    public void Window_does_not_grow_when_the_application_leaves_it_mostly_unused(CongestionControlAlgorithm algorithm)
    {
        var cc = CongestionControllerFactory.Create(algorithm, Mss, 10);
        for (int i = 0; i < 100; i++) cc.OnAck(Mss, 4 * Mss, TimeSpan.FromMilliseconds(10), Instant.FromMilliseconds(i));
        Assert.Equal(10 * Mss, cc.Window);
    }

    [Fact]
    public void Factory_creates_the_requested_algorithm()
    {
        Assert.IsType<CubicController>(CongestionControllerFactory.Create(CongestionControlAlgorithm.Cubic, 1460, 10));
        var reno = Assert.IsType<NewRenoController>(CongestionControllerFactory.Create(CongestionControlAlgorithm.NewReno, 1460, 4));
        Assert.Equal(4 * 1460, reno.Window);
        Assert.Equal(int.MaxValue, reno.SlowStartThreshold);
        Assert.Throws<ArgumentOutOfRangeException>(() => CongestionControllerFactory.Create((CongestionControlAlgorithm)99, 1460, 10));
    }

    [Fact]
    public void NewReno_recovery_halves_the_flight_with_a_floor_of_two_segments()
    {
        var cc = new NewRenoController(Mss, 10);
        cc.OnEnterRecovery(30 * Mss, Instant.Zero);
        Assert.Equal(15 * Mss, cc.SlowStartThreshold);
        Assert.Equal(15 * Mss, cc.Window);
        Assert.False(cc.InSlowStart);

        cc.OnEnterRecovery(3 * Mss, Instant.Zero);
        Assert.Equal(2 * Mss, cc.SlowStartThreshold);
        Assert.Equal(2 * Mss, cc.Window);
        cc.OnExitRecovery(Instant.Zero);
        Assert.Equal(2 * Mss, cc.Window);
    }

    [Fact]
    public void NewReno_timeout_sets_ssthresh_from_flight_and_window_to_one_segment()
    {
        var cc = new NewRenoController(Mss, 10);
        cc.OnRetransmissionTimeout(40 * Mss, Instant.Zero);
        Assert.Equal(20 * Mss, cc.SlowStartThreshold);
        Assert.Equal(Mss, cc.Window);
        Assert.True(cc.InSlowStart);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void NewReno_congestion_avoidance_adds_one_segment_per_round_trip(int segmentsPerAck)
    {
        var cc = new NewRenoController(Mss, 10);
        cc.OnEnterRecovery(40 * Mss, Instant.Zero);
        cc.OnExitRecovery(Instant.Zero);
        Assert.Equal(20 * Mss, cc.Window);

        Instant now = Instant.Zero;
        for (int round = 1; round <= 10; round++)
        {
            now = RunRoundTrip(cc, now, TimeSpan.FromMilliseconds(20), segmentsPerAck);
            Assert.Equal((20 + round) * Mss, cc.Window);
        }
    }

    [Fact]
    public void NewReno_slow_start_stops_at_ssthresh_and_carries_the_rest_into_avoidance()
    {
        var cc = new NewRenoController(Mss, 2);
        cc.OnRetransmissionTimeout(8 * Mss, Instant.Zero); // ssthresh 4 MSS, cwnd 1 MSS
        cc.OnAck(2 * Mss, Mss, TimeSpan.Zero, Instant.Zero);
        cc.OnAck(2 * Mss, 3 * Mss, TimeSpan.Zero, Instant.Zero);
        Assert.Equal(4 * Mss, cc.Window);
        Assert.False(cc.InSlowStart);
        cc.OnAck(3 * Mss, 4 * Mss, TimeSpan.Zero, Instant.Zero); // 1 MSS carried over + 3 = a full window
        Assert.Equal(5 * Mss, cc.Window);
    }

    [Fact]
    public void Cubic_reduces_by_beta_and_remembers_the_window_at_loss()
    {
        var cc = new CubicController(Mss, 100);
        cc.OnEnterRecovery(100 * Mss, Instant.Zero);
        Assert.Equal(70 * Mss, cc.SlowStartThreshold);
        Assert.Equal(70 * Mss, cc.Window);
        Assert.Equal(100 * Mss, cc.MaxWindowBeforeReduction);
    }

    [Fact]
    public void Cubic_fast_convergence_lowers_w_max_when_loss_comes_before_regaining_it()
    {
        var cc = new CubicController(Mss, 100);
        cc.OnEnterRecovery(100 * Mss, Instant.Zero); // W_max 100, cwnd 70
        cc.OnEnterRecovery(70 * Mss, Instant.Zero);   // loss again below W_max
        Assert.Equal(70 * Mss * (1 + CubicController.Beta) / 2, cc.MaxWindowBeforeReduction, 6);
        Assert.Equal(49 * Mss, cc.Window);
    }

    [Fact]
    public void Cubic_timeout_uses_beta_for_ssthresh_and_one_segment_window()
    {
        var cc = new CubicController(Mss, 50);
        cc.OnRetransmissionTimeout(50 * Mss, Instant.Zero);
        Assert.Equal(35 * Mss, cc.SlowStartThreshold);
        Assert.Equal(Mss, cc.Window);
        Assert.Equal(50 * Mss, cc.MaxWindowBeforeReduction);
    }

    [Fact]
    public void Cubic_window_returns_to_w_max_at_time_k_concave_before_and_convex_after()
    {
        // A large window on a long path, so the cubic (not the Reno-friendly estimate) sets the pace.
        var cc = new CubicController(Mss, 1000);
        Instant start = Instant.FromMilliseconds(1_000);
        cc.OnEnterRecovery(1000 * Mss, start);
        cc.OnExitRecovery(start);

        var rtt = TimeSpan.FromMilliseconds(100);
        double expectedK = Math.Cbrt(1000 * (1 - CubicController.Beta) / CubicController.C); // 9.09 s
        var windows = new List<(double Seconds, int Window)>();
        Instant now = start;
        while ((now - start).TotalSeconds < 2 * expectedK)
        {
            now = RunRoundTrip(cc, now, rtt);
            windows.Add(((now - start).TotalSeconds, cc.Window));
        }

        Assert.Equal(expectedK, cc.PeriodToPlateau, 6);
        Assert.Equal(1000 * Mss, cc.CubicWindow(cc.PeriodToPlateau), 6);

        int atK = windows.First(w => w.Seconds >= expectedK).Window;
        Assert.InRange(atK, 995 * Mss, 1005 * Mss);

        int WindowAt(double fraction) => windows.First(w => w.Seconds >= fraction * expectedK).Window;
        int earlyGrowth = WindowAt(0.5) - WindowAt(0.05);
        int lateGrowth = WindowAt(0.95) - WindowAt(0.5);
        Assert.True(earlyGrowth > 2 * lateGrowth, $"concave: {earlyGrowth} vs {lateGrowth}");
        int plateauGrowth = WindowAt(1.45) - WindowAt(1.05);
        int probingGrowth = WindowAt(1.9) - WindowAt(1.5);
        Assert.True(probingGrowth > 2 * plateauGrowth, $"convex: {plateauGrowth} vs {probingGrowth}");
    }

    [Fact]
    public void Cubic_grows_like_reno_on_short_round_trips()
    {
        var cc = new CubicController(Mss, 20);
        Instant start = Instant.Zero;
        cc.OnEnterRecovery(20 * Mss, start); // W_max 20, cwnd 14, K = 2.47 s
        var rtt = TimeSpan.FromMilliseconds(10);
        Instant now = start;
        for (int round = 0; round < 100; round++) now = RunRoundTrip(cc, now, rtt);

        // The cubic alone would still be below W_max after 1 s; the Reno estimate adds 0.53 segment per RTT
        // up to the window before the loss (about 11 RTTs) and one segment per RTT after that.
        Assert.True(cc.CubicWindow(1.0) < 20 * Mss);
        Assert.InRange(cc.Window, 100 * Mss, 112 * Mss);
    }

    [Fact]
    public void Cubic_epoch_restarts_after_recovery()
    {
        var cc = new CubicController(Mss, 100);
        cc.OnEnterRecovery(100 * Mss, Instant.Zero);
        for (int i = 0; i < 70; i++) cc.OnAck(Mss, 70 * Mss, TimeSpan.FromMilliseconds(20), Instant.FromMilliseconds(i));
        Assert.True(cc.PeriodToPlateau > 0);
        cc.OnEnterRecovery(cc.Window, Instant.FromMilliseconds(100));
        Assert.Equal(0, cc.PeriodToPlateau);
    }

    [Theory]
    [InlineData(CongestionControlAlgorithm.NewReno)]
    [InlineData(CongestionControlAlgorithm.Cubic)]
    public void Per_ack_and_loss_calls_do_not_allocate(CongestionControlAlgorithm algorithm)
    {
        var cc = CongestionControllerFactory.Create(algorithm, Mss, 10);
        void Run(int start)
        {
            for (int i = start; i < start + 2_000; i++)
            {
                Instant now = Instant.FromMilliseconds(i);
                cc.OnAck(Mss, cc.Window, TimeSpan.FromMilliseconds(30), now);
                if (i % 500 == 499)
                {
                    cc.OnEnterRecovery(cc.Window, now);
                    cc.OnExitRecovery(now);
                }
                if (i % 1999 == 1998) cc.OnRetransmissionTimeout(cc.Window, now);
            }
        }

        Run(0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(2_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

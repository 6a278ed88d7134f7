using Junction.Devices.Memory;

namespace Junction.Tests.Tcp;

public sealed class TcpTimerInvariantTests
{
    private static FaultSettings Faults(int seed)
    {
        var random = new Random(seed);
        return new FaultSettings
        {
            LossRate = 0.005 + random.NextDouble() * 0.05,
            ReorderRate = random.NextDouble() * 0.05,
            DuplicateRate = random.NextDouble() * 0.01,
            Delay = TimeSpan.FromMicroseconds(200 + random.Next(2000)),
            Jitter = TimeSpan.FromMicroseconds(random.Next(500)),
        };
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Every_connection_with_outstanding_data_has_a_timer_armed_after_every_poll(int seed, bool echo)
    {
        using var run = new SlowReaderRun(seed, echo, connections: 4, length: 512 * 1024, Faults(seed));
        run.Run(TimeSpan.FromMinutes(10));
        Assert.True(run.Retransmissions > 0, "the faulty link must have caused retransmissions");
        Assert.True(run.InvariantChecks > 10_000);
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(6, true)]
    public void Small_buffers_with_slow_readers_never_leave_data_without_a_timer(int seed, bool echo)
    {
        using var run = new SlowReaderRun(seed, echo, connections: 3, length: 256 * 1024, Faults(seed), s =>
        {
            s.ReceiveBufferSize = 6000;
            s.InitialReceiveWindow = 6000;
            s.SendBufferSize = 8192;
        });
        run.Run(TimeSpan.FromMinutes(10));
        Assert.True(run.InvariantChecks > 10_000);
    }
}

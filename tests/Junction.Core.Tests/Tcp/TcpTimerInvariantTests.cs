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
    [InlineData(6, true)]
    [InlineData(8, true)]
    [InlineData(27, false)]
    public void Buffers_smaller_than_two_segments_with_slow_readers_keep_moving(int seed, bool echo)
    {
        // Windows of two segments or less close and reopen all the time; a reordered or duplicated older ACK then
        // easily leaves the sender with a zero window under data in flight.
        using var run = new SlowReaderRun(seed, echo, connections: 3, length: 128 * 1024, Faults(seed) with { ReorderRate = 0.1, DuplicateRate = 0.03 }, s =>
        {
            s.ReceiveBufferSize = 3000;
            s.InitialReceiveWindow = 3000;
            s.SendBufferSize = 3000;
        });
        run.Run(TimeSpan.FromMinutes(3));
        Assert.True(run.InvariantChecks > 10_000);
    }
}

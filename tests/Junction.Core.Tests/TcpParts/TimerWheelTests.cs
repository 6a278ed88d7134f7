using Junction.Stack;

namespace Junction.Tests.TcpParts;

public class TimerWheelTests
{
    private sealed class Recorder
    {
        public List<(int Id, Instant Deadline, Instant Now)> Fired { get; } = [];
    }

    private sealed class TestTimer(Recorder recorder, int id) : TimerEntry
    {
        public Action<TestTimer, Instant>? Callback { get; set; }

        public int Id { get; } = id;

        /// <summary>The deadline the test asked for (the entry's own Deadline is cleared before it fires).</summary>
        public Instant ScheduledFor { get; set; } = Instant.Never;

        protected internal override void OnTimer(Instant now)
        {
            recorder.Fired.Add((Id, ScheduledFor, now));
            Callback?.Invoke(this, now);
        }
    }

    private sealed class CountingTimer : TimerEntry
    {
        public int Fired;

        protected internal override void OnTimer(Instant now) => Fired++;
    }

    private static void Schedule(TimerWheel wheel, TimerEntry entry, Instant deadline)
    {
        if (entry is TestTimer timer) timer.ScheduledFor = deadline;
        wheel.Schedule(entry, deadline);
    }

    private static Instant Us(long micros) => new(micros);

    private static Instant Ms(long millis) => Instant.FromMilliseconds(millis);

    [Fact]
    public void Fires_entries_earliest_first_including_within_one_tick()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        long[] deadlines = [5_900, 5_100, 70_000, 5_500, 1_000, 300_000, 5_000_000, 64_000, 63_999];
        for (int i = 0; i < deadlines.Length; i++) Schedule(wheel, new TestTimer(recorder, i), Us(deadlines[i]));

        int fired = wheel.Advance(Ms(10_000));

        Assert.Equal(deadlines.Length, fired);
        Assert.Equal(deadlines.Order().ToArray(), recorder.Fired.Select(f => f.Deadline.Microseconds).ToArray());
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Compares_exact_microsecond_deadlines_not_ticks()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        var timer = new TestTimer(recorder, 1);
        Schedule(wheel, timer, Us(2_750));

        Assert.Equal(0, wheel.Advance(Us(2_749)));
        Assert.True(timer.IsScheduled);
        Assert.Equal(1, wheel.Advance(Us(2_750)));
        Assert.False(timer.IsScheduled);
        Assert.Equal(Instant.Never, timer.Deadline);
        Assert.Equal(Us(2_750), recorder.Fired[0].Now);
    }

    [Fact]
    public void Cancelled_entry_does_not_fire_and_cancel_is_idempotent()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        var a = new TestTimer(recorder, 1);
        var b = new TestTimer(recorder, 2);
        Schedule(wheel, a, Ms(10));
        Schedule(wheel, b, Ms(20));

        wheel.Cancel(a);
        wheel.Cancel(a);

        Assert.Equal(1, wheel.Count);
        Assert.False(a.IsScheduled);
        Assert.Equal(1, wheel.Advance(Ms(100)));
        Assert.Equal([2], recorder.Fired.Select(f => f.Id));
    }

    [Fact]
    public void Schedule_moves_an_already_scheduled_entry()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        var a = new TestTimer(recorder, 1);
        Schedule(wheel, a, Ms(10));
        Schedule(wheel, a, Ms(5_000));

        Assert.Equal(1, wheel.Count);
        Assert.Equal(0, wheel.Advance(Ms(4_999)));
        Assert.Equal(1, wheel.Advance(Ms(5_000)));
    }

    [Fact]
    public void Entry_can_reschedule_itself_from_its_callback()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        var periodic = new TestTimer(recorder, 1)
        {
            Callback = (self, now) =>
            {
                Assert.False(self.IsScheduled);
                Schedule(wheel, self, now + TimeSpan.FromMilliseconds(7));
            },
        };
        Schedule(wheel, periodic, Ms(7));

        Assert.Equal(1, wheel.Advance(Ms(10)));
        Assert.Equal(Ms(17), periodic.Deadline);
        Assert.Equal(1, wheel.Advance(Ms(20)));
        Assert.Equal(Ms(27), periodic.Deadline);
    }

    [Fact]
    public void Entry_rescheduled_into_the_past_from_a_callback_fires_on_the_next_advance()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        var again = new TestTimer(recorder, 1);
        again.Callback = (self, now) =>
        {
            if (recorder.Fired.Count == 1) Schedule(wheel, self, now - TimeSpan.FromMilliseconds(3));
        };
        Schedule(wheel, again, Ms(5));

        Assert.Equal(1, wheel.Advance(Ms(50)));
        Assert.True(again.IsScheduled);
        Assert.Equal(Ms(47), wheel.NextDeadline);
        Assert.Equal(1, wheel.Advance(Ms(50)));
        Assert.False(again.IsScheduled);
    }

    [Fact]
    public void Callback_can_cancel_and_move_entries_due_in_the_same_advance()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        var first = new TestTimer(recorder, 1);
        var cancelled = new TestTimer(recorder, 2);
        var moved = new TestTimer(recorder, 3);
        var untouched = new TestTimer(recorder, 4);
        first.Callback = (_, now) =>
        {
            wheel.Cancel(cancelled);
            Schedule(wheel, moved, now + TimeSpan.FromSeconds(1));
        };
        Schedule(wheel, first, Us(1_000));
        Schedule(wheel, cancelled, Us(1_200)); // same slot as first
        Schedule(wheel, moved, Us(3_000));
        Schedule(wheel, untouched, Us(90_000));

        Assert.Equal(2, wheel.Advance(Ms(100)));
        Assert.Equal([1, 4], recorder.Fired.Select(f => f.Id));
        Assert.Equal(1, wheel.Count);
        Assert.Equal(Ms(1_100), moved.Deadline);
        Assert.Equal(1, wheel.Advance(Ms(1_100)));
    }

    [Fact]
    public void Past_deadline_fires_on_next_advance()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Ms(1_000));
        var late = new TestTimer(recorder, 1);
        Schedule(wheel, late, Ms(10));

        Assert.Equal(Ms(10), wheel.NextDeadline);
        Assert.Equal(1, wheel.Advance(Ms(1_000)));
    }

    [Theory]
    [InlineData(3_000L)] // 3 s: level 1
    [InlineData(200_000L)] // 200 s: level 2
    [InlineData(2L * 3600 * 1000)] // 2 h keepalive: level 3
    [InlineData(30L * 3600 * 1000)] // 30 h: overflow
    public void Far_deadlines_cascade_and_fire_exactly_on_time(long millis)
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Us(123_456));
        Instant deadline = Us(123_456) + TimeSpan.FromMilliseconds(millis) + TimeSpan.FromMicroseconds(321);
        var timer = new TestTimer(recorder, 1);
        Schedule(wheel, timer, deadline);

        // Advance in irregular steps up to just before the deadline: nothing fires early.
        var random = new Random(42);
        Instant now = Us(123_456);
        while (true)
        {
            Instant next = now + TimeSpan.FromMicroseconds(random.NextInt64(1, Math.Max(2, millis * 1000 / 37)));
            if (next >= deadline) break;
            now = next;
            Assert.Equal(0, wheel.Advance(now));
        }
        Assert.Equal(0, wheel.Advance(deadline - TimeSpan.FromMicroseconds(1)));
        Assert.Equal(1, wheel.Advance(deadline));
        Assert.Equal(deadline, recorder.Fired[0].Deadline);
    }

    [Theory]
    [InlineData(40L, 1)]
    [InlineData(3_000L, 1)]
    [InlineData(200_000L, 3)]
    [InlineData(2L * 3600 * 1000, 4)]
    [InlineData(30L * 3600 * 1000, 12)] // the overflow list is revisited every 4.66 h
    public void Simulated_driver_jumping_to_next_deadline_fires_on_exact_time(long millis, int maxJumps)
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Us(500));
        Instant deadline = Us(500) + TimeSpan.FromMilliseconds(millis) + TimeSpan.FromMicroseconds(77);
        Schedule(wheel, new TestTimer(recorder, 1), deadline);

        int jumps = 0;
        while (recorder.Fired.Count == 0)
        {
            Instant next = wheel.NextDeadline;
            Assert.True(next <= deadline);
            wheel.Advance(next);
            jumps++;
        }
        Assert.Equal(deadline, recorder.Fired[0].Now);
        Assert.InRange(jumps, 1, maxJumps);
    }

    [Fact]
    public void NextDeadline_is_exact_within_the_lowest_level_and_never_late_beyond()
    {
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        Assert.Equal(Instant.Never, wheel.NextDeadline);

        var far = new TestTimer(recorder, 1);
        Schedule(wheel, far, Ms(600_000) + TimeSpan.FromMicroseconds(5));
        Assert.True(wheel.NextDeadline <= far.Deadline);

        var near = new TestTimer(recorder, 2);
        Schedule(wheel, near, Us(42_017));
        Assert.Equal(Us(42_017), wheel.NextDeadline);

        var nearer = new TestTimer(recorder, 3);
        Schedule(wheel, nearer, Us(41_999));
        Assert.Equal(Us(41_999), wheel.NextDeadline);

        wheel.Cancel(nearer);
        Assert.Equal(Us(42_017), wheel.NextDeadline);

        Schedule(wheel, near, Us(63_500)); // moved later, still in level 0
        Assert.Equal(Us(63_500), wheel.NextDeadline);

        wheel.Advance(Us(60_000));
        Schedule(wheel, nearer, Us(70_250)); // crosses into the next 64 ms block
        Assert.Equal(Us(63_500), wheel.NextDeadline);
        wheel.Cancel(near);
        Assert.Equal(Us(70_250), wheel.NextDeadline);

        wheel.Cancel(nearer);
        wheel.Cancel(far);
        Assert.Equal(Instant.Never, wheel.NextDeadline);
    }

    [Fact]
    public void Random_schedule_cancel_and_advance_matches_a_reference_model()
    {
        var random = new Random(7);
        var recorder = new Recorder();
        var wheel = new TimerWheel(Instant.Zero);
        var timers = new TestTimer[500];
        for (int i = 0; i < timers.Length; i++) timers[i] = new TestTimer(recorder, i);
        var expected = new Dictionary<int, long>();
        long now = 0;

        for (int step = 0; step < 20_000; step++)
        {
            int op = random.Next(10);
            var timer = timers[random.Next(timers.Length)];
            if (op < 5)
            {
                long delta = random.Next(4) switch
                {
                    0 => random.NextInt64(0, 64_000),
                    1 => random.NextInt64(0, 5_000_000),
                    2 => random.NextInt64(0, 400_000_000),
                    _ => random.NextInt64(-5_000, 2_000),
                };
                Schedule(wheel, timer, Us(now + delta));
                expected[timer.Id] = now + delta;
            }
            else if (op < 7)
            {
                wheel.Cancel(timer);
                expected.Remove(timer.Id);
            }
            else
            {
                Instant next = wheel.NextDeadline;
                if (expected.Count > 0) Assert.True(next.Microseconds <= expected.Values.Min());
                now += random.Next(3) == 0 && next != Instant.Never ? Math.Max(0, next.Microseconds - now) : random.NextInt64(0, 3_000_000);
                recorder.Fired.Clear();
                int fired = wheel.Advance(Us(now));
                var due = expected.Where(kv => kv.Value <= now).OrderBy(kv => kv.Value).ToList();
                Assert.Equal(due.Count, fired);
                Assert.Equal(due.Select(kv => kv.Value), recorder.Fired.Select(f => f.Deadline.Microseconds));
                foreach (var kv in due) expected.Remove(kv.Key);
            }
            Assert.Equal(expected.Count, wheel.Count);
        }
    }

    [Fact]
    public void Handles_200000_entries_scheduled_cancelled_and_fired()
    {
        var wheel = new TimerWheel(Instant.Zero);
        var random = new Random(1);
        var timers = new CountingTimer[200_000];
        for (int i = 0; i < timers.Length; i++)
        {
            timers[i] = new CountingTimer();
            Schedule(wheel, timers[i], Us(random.NextInt64(1, 300_000_000)));
        }
        Assert.Equal(200_000, wheel.Count);

        for (int i = 0; i < timers.Length; i += 2) wheel.Cancel(timers[i]);
        Assert.Equal(100_000, wheel.Count);

        int fired = 0;
        long now = 0;
        while (wheel.Count > 0)
        {
            now = Math.Max(now + 1, wheel.NextDeadline.Microseconds);
            fired += wheel.Advance(Us(now));
        }

        Assert.Equal(100_000, fired);
        for (int i = 0; i < timers.Length; i++) Assert.Equal(i % 2, timers[i].Fired);
    }

    [Fact]
    public void Steady_state_schedule_cancel_and_advance_do_not_allocate()
    {
        var wheel = new TimerWheel(Instant.Zero);
        var timers = new CountingTimer[1_000];
        for (int i = 0; i < timers.Length; i++) timers[i] = new CountingTimer();
        var random = new Random(3);
        var deltas = new long[4096];
        for (int i = 0; i < deltas.Length; i++) deltas[i] = random.NextInt64(0, 10_000_000);

        long now = 0;
        void Run(int rounds)
        {
            for (int r = 0; r < rounds; r++)
            {
                for (int i = 0; i < timers.Length; i++)
                {
                    long d = deltas[(r * timers.Length + i) & 4095];
                    if ((d & 7) == 0) wheel.Cancel(timers[i]);
                    else Schedule(wheel, timers[i], Us(now + d));
                }
                now += 250_000;
                wheel.Advance(Us(now));
                _ = wheel.NextDeadline;
            }
        }

        Run(50);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(200);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}

using Junction.Devices;
using Junction.Stack.Tcp;
using Junction.Stack.Tcp.Congestion;
using Junction.Wire;

namespace Junction.Tests.Tcp;

/// <summary>Two TCP layers wired back to back through a seeded lossy, delaying in-memory link.</summary>
public sealed class TcpLoopbackTests
{
    private static readonly Ipv4Address AddressA = new(10, 0, 0, 1);
    private static readonly Ipv4Address AddressB = new(10, 0, 0, 2);

    private sealed record InFlight(Instant Due, long Order, Ipv4Address Source, Ipv4Address Destination, TcpRepr Header, byte[] Payload);

    /// <summary>Queues every segment for the other side after a delay, dropping some.</summary>
    private sealed class LossyLink(Random random, double loss, TimeSpan delay, Func<Instant> clock, FramePool pool) : ITcpOutput
    {
        public FramePool FramePool => pool;

        public List<InFlight> Queue { get; } = [];
        public long Dropped { get; private set; }
        private long _order;

        public bool SendSegment(Ipv4Address source, Ipv4Address destination, in TcpRepr header, ReadOnlySpan<byte> payload1, ReadOnlySpan<byte> payload2)
        {
            if (random.NextDouble() < loss)
            {
                Dropped++;
                return true;
            }
            byte[] bytes = new byte[payload1.Length + payload2.Length];
            payload1.CopyTo(bytes);
            payload2.CopyTo(bytes.AsSpan(payload1.Length));
            // On a lossy link a little jitter also reorders now and then.
            TimeSpan jitter = TimeSpan.FromMicroseconds(loss == 0 ? 0 : random.Next(0, 300));
            Queue.Add(new InFlight(clock() + delay + jitter, _order++, source, destination, header, bytes));
            return true;
        }

        public int MaxSegmentSize(Ipv4Address destination) => 1460;
    }

    [Theory]
    [InlineData(CongestionControlAlgorithm.Cubic, true, 0.01)]
    [InlineData(CongestionControlAlgorithm.NewReno, false, 0.01)]
    [InlineData(CongestionControlAlgorithm.Cubic, true, 0.0)]
    public void Moves_megabytes_intact_over_a_lossy_link(CongestionControlAlgorithm algorithm, bool sack, double loss)
    {
        const int total = 3 * 1024 * 1024;
        var random = new Random(1234);
        Instant now = Instant.FromMilliseconds(10);
        using var pool = new FramePool(1024);
        var settings = new TcpSettings { CongestionControl = algorithm, Sack = sack };
        var linkAtoB = new LossyLink(random, loss, TimeSpan.FromMilliseconds(1), () => now, pool);
        var linkBtoA = new LossyLink(random, loss, TimeSpan.FromMilliseconds(1), () => now, pool);
        byte[] secretA = new byte[32];
        byte[] secretB = new byte[32];
        random.NextBytes(secretA);
        random.NextBytes(secretB);
        var a = new TcpLayer(linkAtoB, settings, secretA, now);
        var b = new TcpLayer(linkBtoA, settings, secretB, now);

        byte[] source = new byte[total];
        random.NextBytes(source);
        byte[] received = new byte[total];
        int written = 0;
        int read = 0;

        TcpListenEndpoint listener = b.Listen(Ipv4Address.Any, 9000, 4);
        TcpConnection client = a.Connect(AddressA, AddressB, 9000);
        TcpConnection? server = null;
        bool clientClosed = false;

        for (int step = 0; step < 2_000_000; step++)
        {
            if (server is null && listener.TryAccept(out TcpConnection? accepted)) server = accepted;
            if (client.State is TcpState.Established or TcpState.CloseWait && written < total)
            {
                written += client.Send(source.AsSpan(written, Math.Min(64 * 1024, total - written)));
            }
            if (written == total && !clientClosed && client.State == TcpState.Established)
            {
                client.Close();
                clientClosed = true;
            }
            if (server is not null)
            {
                int n;
                while ((n = server.Receive(received.AsSpan(read))) > 0) read += n;
                if (server.IsReceiveComplete && server.State == TcpState.CloseWait) server.Close();
            }
            a.Poll(now);
            b.Poll(now);
            if (read == total && server!.State == TcpState.Closed && client.State is TcpState.TimeWait or TcpState.Closed) break;

            // Next event: a delivery or a timer.
            Instant next = Instant.Min(a.NextDeadline, b.NextDeadline);
            foreach (InFlight f in linkAtoB.Queue) next = Instant.Min(next, f.Due);
            foreach (InFlight f in linkBtoA.Queue) next = Instant.Min(next, f.Due);
            Assert.NotEqual(Instant.Never, next);
            now = Instant.Max(now, next);
            Deliver(linkAtoB, b, pool, now);
            Deliver(linkBtoA, a, pool, now);
        }

        Assert.Equal(total, read);
        Assert.True(source.AsSpan().SequenceEqual(received));
        Assert.Equal(TcpState.Closed, server!.State);
        if (loss == 0)
        {
            Assert.Equal(0, a.Statistics.SegmentsRetransmitted);
        }
        else
        {
            Assert.True(linkAtoB.Dropped > 0);
            Assert.True(a.Statistics.SegmentsRetransmitted > 0);
        }
        listener.Dispose();
        client.Dispose();
        server.Dispose();
        a.Dispose();
        b.Dispose();
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }

    private static void Deliver(LossyLink link, TcpLayer to, FramePool pool, Instant now)
    {
        List<InFlight> due = link.Queue.FindAll(f => f.Due <= now);
        if (due.Count == 0) return;
        link.Queue.RemoveAll(f => f.Due <= now);
        due.Sort((x, y) => x.Due != y.Due ? x.Due.CompareTo(y.Due) : x.Order.CompareTo(y.Order));
        foreach (InFlight f in due)
        {
            Assert.True(pool.TryRent(out Frame frame));
            Frame window = frame.WithWindow(0, f.Payload.Length);
            f.Payload.CopyTo(window.Span);
            to.Receive(f.Source, f.Destination, f.Header, window, now);
            frame.Release();
        }
    }
}

using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Tcp;

public sealed class TcpDataTests
{
    private static TcpHarness NoQuickAck(Action<TcpSettings>? more = null) => new(s =>
    {
        s.QuickAckSegments = 0;
        more?.Invoke(s);
    });

    [Fact]
    public void Received_data_is_readable_and_acknowledged_after_the_delayed_ack_timeout()
    {
        using TcpHarness h = NoQuickAck();
        TcpConnection c = h.AcceptConnection();
        var observer = new RecordingObserver();
        c.Observer = observer;
        byte[] sent = h.PeerSend(100);
        h.ExpectNothing();
        Assert.Equal(1, observer.Readable);
        byte[] read = new byte[200];
        Assert.Equal(100, c.Receive(read));
        Assert.Equal(sent, read[..100]);
        h.Advance(TimeSpan.FromMilliseconds(39));
        h.ExpectNothing();
        h.Advance(TimeSpan.FromMilliseconds(1));
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(1, h.Layer.Statistics.DelayedAcks);
        c.Dispose();
    }

    [Fact]
    public void Every_second_full_segment_is_acknowledged_at_once()
    {
        using TcpHarness h = NoQuickAck();
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(1448);
        h.ExpectNothing();
        h.PeerSend(1448);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        h.PeerSend(1448);
        h.ExpectNothing();
        c.Abort();
    }

    [Fact]
    public void Quick_ack_mode_acknowledges_every_segment_at_connection_start()
    {
        using var h = new TcpHarness(s => s.QuickAckSegments = 2);
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(10);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        h.PeerSend(10);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        h.PeerSend(10);
        h.ExpectNothing();
        c.Abort();
    }

    [Fact]
    public void Out_of_order_data_gets_an_immediate_duplicate_ack_with_sack_and_the_gap_fill_an_immediate_ack()
    {
        using TcpHarness h = NoQuickAck();
        TcpConnection c = h.AcceptConnection();
        TcpSeq hole = h.PeerSeq;
        h.PeerSeq += 1000;
        h.PeerSend(500);
        SentSegment dup = h.Expect(TcpFlags.Ack, ack: hole);
        Assert.Equal(1, dup.Header.SackCount);
        Assert.Equal(new SackBlock(hole + 1000, hole + 1500), dup.Header.SackBlocks[0]);
        Assert.Equal(0, c.ReceiveAvailable);
        TcpSeq end = h.PeerSeq;
        h.PeerSeq = hole;
        h.PeerSend(1000);
        SentSegment ack = h.Expect(TcpFlags.Ack, ack: end);
        Assert.Equal(0, ack.Header.SackCount);
        Assert.Equal(1500, c.ReceiveAvailable);
        c.Abort();
    }

    [Fact]
    public void Duplicate_data_is_acknowledged_at_once()
    {
        using TcpHarness h = NoQuickAck();
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(100);
        h.PeerSeq -= 100;
        h.PeerSend(100);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(100, c.ReceiveAvailable);
        c.Abort();
    }

    [Fact]
    public void Sends_data_in_mss_segments_within_the_initial_window()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        Assert.Equal(1448, c.Mss);
        Assert.Equal(20 * 1448, c.Send(new byte[20 * 1448]));
        h.Poll();
        IReadOnlyList<SentSegment> segments = h.TakeAll();
        Assert.Equal(10, segments.Count); // initial window: 10 segments
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(h.OurIss + 1 + i * 1448, segments[i].Seq);
            Assert.Equal(1448, segments[i].Payload.Length);
        }
        h.Inject(h.PeerAck(h.OurIss + 1 + 2 * 1448));
        Assert.Equal(18 * 1448, c.SendQueued);
        // Slow start: 2 acknowledged segments open the window by 2, so 4 more go out.
        Assert.Equal(4, h.TakeAll().Count);
        c.Abort();
    }

    [Fact]
    public void Nagle_holds_a_small_segment_while_a_small_one_is_unacknowledged()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.Send(new byte[10]);
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, length: 10);
        c.Send(new byte[10]);
        h.Poll();
        h.ExpectNothing();
        h.Inject(h.PeerAck(h.OurIss + 11));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: h.OurIss + 11, length: 10);
        c.NoDelay = true;
        c.Send(new byte[10]);
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: h.OurIss + 21, length: 10);
        c.Abort();
    }

    [Fact]
    public void Retransmits_first_unacked_segment_when_rto_fires_with_exponential_backoff()
    {
        using var h = new TcpHarness(s => s.TailLossProbe = false); // this test is about the retransmission timer
        TcpConnection c = h.AcceptConnection();
        c.Send(new byte[3000]);
        h.Poll();
        Instant sent = h.Now;
        Assert.Equal(3, h.TakeAll().Count);
        // The handshake measured an RTT of ~0: the RTO is the 200 ms minimum, then doubles.
        h.RunUntil(sent + TimeSpan.FromMilliseconds(199));
        h.ExpectNothing();
        h.RunUntil(sent + TimeSpan.FromMilliseconds(200));
        h.Expect(TcpFlags.Ack, seq: h.OurIss + 1, length: 1448);
        h.ExpectNothing(); // cwnd is one segment after a timeout
        h.RunUntil(sent + TimeSpan.FromMilliseconds(599));
        h.ExpectNothing();
        h.RunUntil(sent + TimeSpan.FromMilliseconds(600));
        h.Expect(TcpFlags.Ack, seq: h.OurIss + 1, length: 1448);
        Assert.Equal(2, c.Retransmissions);
        h.Inject(h.PeerAck(h.OurIss + 1 + 1448));
        // Slow start from one segment: two more now.
        h.Expect(TcpFlags.Ack, seq: h.OurIss + 1 + 1448, length: 1448);
        c.Abort();
    }

    [Fact]
    public void Connection_times_out_after_max_retransmissions()
    {
        using var h = new TcpHarness(s =>
        {
            s.MaxRetransmissions = 3;
            s.MaxRto = TimeSpan.FromSeconds(2);
        });
        TcpConnection c = h.AcceptConnection();
        c.Send(new byte[100]);
        h.Poll();
        h.RunUntil(h.Now + TimeSpan.FromSeconds(30));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(System.Net.Sockets.SocketError.TimedOut, c.Error);
        Assert.Equal(3, c.Retransmissions);
        Assert.Throws<System.Net.Sockets.SocketException>(() => c.Receive(new byte[1]));
        Assert.Equal(0, c.Receive(new byte[1]));
    }

    [Fact]
    public void Rtt_is_measured_from_timestamps_and_sets_the_rto()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection(handshakeRtt: TimeSpan.FromMilliseconds(50));
        c.Send(new byte[100]);
        h.Poll();
        SentSegment data = h.Expect(TcpFlags.Ack | TcpFlags.Psh);
        h.Advance(TimeSpan.FromMilliseconds(50));
        TcpRepr ack = h.PeerAck(h.OurIss + 101);
        ack.TsEcr = data.Header.TsVal;
        h.Inject(ack);
        Assert.InRange(c.SmoothedRtt.TotalMilliseconds, 45, 55);
        c.Abort();
    }

    [Fact]
    public void Zero_window_stops_sending_and_persist_timer_probes_until_the_window_opens()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection(peerWindow: 0);
        c.Send(new byte[1000]);
        h.Poll();
        h.ExpectNothing();
        Instant start = h.Now;
        h.RunUntil(start + TimeSpan.FromMilliseconds(199));
        h.ExpectNothing();
        h.RunUntil(start + TimeSpan.FromMilliseconds(200)); // the RTO (200 ms minimum here)
        h.Expect(TcpFlags.Ack, seq: h.OurIss, length: 0); // probe: SND.UNA - 1
        h.RunUntil(start + TimeSpan.FromMilliseconds(599));
        h.ExpectNothing();
        h.RunUntil(start + TimeSpan.FromMilliseconds(600)); // backoff doubles the interval
        h.Expect(TcpFlags.Ack, seq: h.OurIss, length: 0);
        Assert.Equal(2, h.Layer.Statistics.ZeroWindowProbes);
        h.Inject(h.PeerAck(h.OurIss + 1, window: 512)); // the peer's window opens (scaled by 128)
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: h.OurIss + 1, length: 1000);
        c.Abort();
    }

    [Fact]
    public void Receive_window_closes_when_the_buffer_fills_and_reopens_with_a_window_update()
    {
        using var h = new TcpHarness(s =>
        {
            s.ReceiveBufferSize = 8192;
            s.InitialReceiveWindow = 8192;
        });
        TcpConnection c = h.AcceptConnection();
        for (int i = 0; i < 8; i++) h.PeerSend(1024);
        SentSegment last = h.TakeAll()[^1];
        Assert.Equal(h.PeerSeq, last.Ack);
        Assert.Equal(0, last.Header.Window);
        // More data is refused and acknowledged at once.
        h.PeerSend(100, advance: false);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        byte[] buffer = new byte[8192];
        Assert.Equal(8192, c.Receive(buffer));
        h.Poll();
        SentSegment update = h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(8192, update.Header.Window << 7); // scale 7, from the default 6 MiB maximum buffer
        c.Abort();
    }

    [Fact]
    public void Fast_retransmit_after_three_duplicate_acks_and_newreno_partial_ack_resends_next_hole()
    {
        using var h = new TcpHarness(s =>
        {
            s.Sack = false;
            s.CongestionControl = global::Junction.Stack.Tcp.Congestion.CongestionControlAlgorithm.NewReno;
        });
        TcpConnection c = h.AcceptConnection(sack: false);
        c.Send(new byte[10 * 1448]);
        h.Poll();
        Assert.Equal(10, h.TakeAll().Count);
        TcpSeq first = h.OurIss + 1;
        // Segments 0 and 2 lost: the peer acknowledges nothing new, three times.
        for (int i = 0; i < 2; i++) h.Inject(h.PeerAck(first));
        h.ExpectNothing();
        h.Inject(h.PeerAck(first));
        h.Expect(TcpFlags.Ack, seq: first, length: 1448);
        Assert.Equal(1, h.Layer.Statistics.FastRetransmits);
        // The retransmission fills hole 0; the ACK stops at hole 2: a partial ACK resends segment 2 at once.
        h.Inject(h.PeerAck(first + 2 * 1448));
        h.Expect(TcpFlags.Ack, seq: first + 2 * 1448, length: 1448);
        // Full ACK ends recovery.
        h.Inject(h.PeerAck(first + 10 * 1448));
        Assert.Equal(0, c.SendQueued);
        Assert.Equal(2, c.Retransmissions);
        c.Abort();
    }

    [Fact]
    public void Sack_recovery_retransmits_only_the_holes()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.Send(new byte[10 * 1448]);
        h.Poll();
        Assert.Equal(10, h.TakeAll().Count);
        TcpSeq first = h.OurIss + 1;
        int m = 1448;
        // Segments 1 and 4 lost; the peer SACKs what arrived after them.
        h.Inject(h.PeerAck(first + m));
        h.TakeAll();
        for (int k = 3; k <= 5; k++)
        {
            TcpRepr dup = h.PeerAck(first + m);
            dup.SackCount = k < 5 ? 1 : 2;
            dup.SackBlocks[0] = k < 5 ? new SackBlock(first + 2 * m, first + k * m) : new SackBlock(first + 5 * m, first + 10 * m);
            if (k == 5) dup.SackBlocks[1] = new SackBlock(first + 2 * m, first + 4 * m);
            h.Inject(dup);
        }
        IReadOnlyList<SentSegment> retransmitted = h.TakeAll();
        Assert.Contains(retransmitted, s => s.Seq == first + m && s.Payload.Length == m);
        Assert.Contains(retransmitted, s => s.Seq == first + 4 * m);
        Assert.DoesNotContain(retransmitted, s => s.Seq == first + 2 * m || s.Seq == first + 3 * m || s.Seq >= first + 5 * m && s.Seq < first + 10 * m);
        h.Inject(h.PeerAck(first + 10 * m));
        Assert.Equal(0, c.SendQueued);
        c.Abort();
    }
}

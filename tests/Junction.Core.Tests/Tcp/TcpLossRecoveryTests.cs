using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Tcp;

/// <summary>Loss detection and recovery against a receiver that behaves like Linux (autotuned window, SACK, reordering).</summary>
public sealed class TcpLossRecoveryTests
{
    private const int M = 1448; // payload per segment with timestamps

    /// <summary>A duplicate ACK for <paramref name="ack"/> with one SACK block [from, to).</summary>
    private static TcpRepr SackAck(TcpHarness h, TcpSeq ack, TcpSeq from, TcpSeq to, ushort window = 65535)
    {
        TcpRepr dup = h.PeerAck(ack, window: window);
        dup.SackCount = 1;
        dup.SackBlocks[0] = new SackBlock(from, to);
        return dup;
    }

    /// <summary>Accepts a connection and sends <paramref name="segments"/> full segments; returns the connection.</summary>
    private static TcpConnection SendSegments(TcpHarness h, int segments)
    {
        TcpConnection c = h.AcceptConnection();
        c.Send(new byte[segments * M]);
        h.Poll();
        Assert.Equal(segments, h.TakeAll().Count);
        return c;
    }

    /// <summary>
    /// Accepts a connection whose handshake took 100 ms (the RTT RACK and TLP use), sends a 10-segment flight starting
    /// at <paramref name="first"/>, and lets one RTT pass: the peer's ACKs for the flight arrive now.
    /// </summary>
    private static TcpConnection SendFlightAfterOneRtt(TcpHarness h, out TcpSeq first)
    {
        TcpConnection c = h.AcceptConnection(handshakeRtt: TimeSpan.FromMilliseconds(100));
        first = h.OurIss + 1;
        c.Send(new byte[10 * M]);
        h.Poll();
        h.TakeAll();
        h.Advance(TimeSpan.FromMilliseconds(100));
        return c;
    }

    [Fact]
    public void Ack_with_new_sack_information_counts_as_duplicate_even_when_the_window_changed()
    {
        using var h = new TcpHarness(s => { s.Rack = false; s.TailLossProbe = false; });
        TcpConnection c = SendSegments(h, 10);
        TcpSeq first = h.OurIss + 1;
        // Segment 0 lost; Linux's autotuning changes the window on every ACK that SACKs the later ones.
        h.Inject(SackAck(h, first, first + M, first + 2 * M, window: 600));
        h.Inject(SackAck(h, first, first + M, first + 3 * M, window: 610));
        h.Inject(SackAck(h, first, first + M, first + 4 * M, window: 620));
        IReadOnlyList<SentSegment> sent = h.TakeAll();
        Assert.Contains(sent, s => s.Seq == first && s.Payload.Length == M);
        Assert.Equal(1, h.Layer.Statistics.FastRetransmits);
        c.Abort();
    }

    [Fact]
    public void Ack_without_new_sack_information_and_a_changed_window_is_not_a_duplicate()
    {
        using var h = new TcpHarness(s => { s.Rack = false; s.TailLossProbe = false; });
        TcpConnection c = SendSegments(h, 10);
        TcpSeq first = h.OurIss + 1;
        h.Inject(SackAck(h, first, first + M, first + 2 * M, window: 600));
        for (int i = 0; i < 3; i++) h.Inject(SackAck(h, first, first + M, first + 2 * M, window: (ushort)(610 + i)));
        Assert.Equal(0, h.Layer.Statistics.FastRetransmits);
        c.Abort();
    }

    [Fact]
    public void Loss_of_the_first_segment_after_a_recovery_starts_a_new_recovery()
    {
        using var h = new TcpHarness(s => { s.Rack = false; s.TailLossProbe = false; });
        TcpConnection c = SendSegments(h, 10);
        TcpSeq first = h.OurIss + 1;
        // First recovery: segment 0 lost, 1..9 SACKed; its retransmission fills the hole and ends recovery.
        h.Inject(SackAck(h, first, first + M, first + 10 * M));
        h.Expect(TcpFlags.Ack, seq: first, length: M);
        h.TakeAll();
        h.Inject(h.PeerAck(first + 10 * M));
        Assert.Equal(0, c.SendQueued);

        // New data; its very first segment (at the old recovery point) is lost.
        TcpSeq next = first + 10 * M;
        c.Send(new byte[6 * M]);
        h.Poll();
        Assert.Equal(6, h.TakeAll().Count);
        h.Inject(SackAck(h, next, next + M, next + 4 * M));
        h.Expect(TcpFlags.Ack, seq: next, length: M);
        Assert.Equal(2, h.Layer.Statistics.FastRetransmits);
        c.Abort();
    }

    [Fact]
    public void Paws_lets_a_reordered_pure_duplicate_ack_through_so_its_sack_blocks_count()
    {
        using var h = new TcpHarness(s => { s.Rack = false; s.TailLossProbe = false; });
        TcpConnection c = SendSegments(h, 10);
        TcpSeq first = h.OurIss + 1;
        // The receiver sent two ACKs; the newer one (higher TSval) overtook the older one, which SACKs more.
        uint ts = h.PeerTsVal;
        h.PeerTsVal = ts + 5;
        h.Inject(SackAck(h, first, first + M, first + 2 * M));
        h.PeerTsVal = ts + 2;
        h.Inject(SackAck(h, first, first + M, first + 4 * M));
        Assert.Equal(0, h.Layer.Statistics.DroppedPaws);
        h.Expect(TcpFlags.Ack, seq: first, length: M);
        c.Abort();
    }

    [Fact]
    public void Paws_still_drops_an_old_segment_carrying_data()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        uint ts = h.PeerTsVal;
        h.PeerTsVal = ts + 10;
        h.PeerSend(100);
        h.PeerTsVal = ts + 2;
        h.PeerSend(100);
        Assert.Equal(1, h.Layer.Statistics.DroppedPaws);
        c.Abort();
    }

    [Fact]
    public void Duplicate_data_is_acknowledged_with_a_dsack_block()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        TcpSeq start = h.PeerSeq;
        h.PeerSend(1000);
        h.TakeAll();
        h.PeerSeq = start;
        h.PeerSend(1000);
        SentSegment ack = h.Expect(TcpFlags.Ack, ack: start + 1000);
        Assert.Equal(1, ack.Header.SackCount);
        Assert.Equal(new SackBlock(start, start + 1000), ack.Header.SackBlocks[0]);
        // Reported once: the next ACK carries no block.
        h.PeerSend(1000);
        h.Poll();
        h.Advance(TimeSpan.FromMilliseconds(50));
        SentSegment next = h.Expect(TcpFlags.Ack, ack: start + 2000);
        Assert.Equal(0, next.Header.SackCount);
        c.Abort();
    }

    [Fact]
    public void Partly_duplicate_data_reports_the_old_part_in_a_dsack_block()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        TcpSeq start = h.PeerSeq;
        h.PeerSend(1000);
        h.TakeAll();
        h.PeerSeq = start + 500;
        h.PeerSend(1000);
        SentSegment ack = h.Expect(TcpFlags.Ack, ack: start + 1500);
        Assert.Equal(1, ack.Header.SackCount);
        Assert.Equal(new SackBlock(start + 500, start + 1000), ack.Header.SackBlocks[0]);
        c.Abort();
    }

    [Fact]
    public void Slow_start_grows_the_window_by_all_a_stretch_ack_acknowledges()
    {
        using var h = new TcpHarness();
        TcpConnection c = SendSegments(h, 10);
        TcpSeq first = h.OurIss + 1;
        c.Send(new byte[30 * M]);
        h.Poll();
        h.ExpectNothing(); // the initial window is full
        // One ACK for all ten segments (as Linux acknowledges a burst it coalesced): the window doubles.
        h.Inject(h.PeerAck(first + 10 * M));
        Assert.Equal(20 * M, c.CongestionWindow);
        Assert.Equal(20, h.TakeAll().Count(s => s.Payload.Length > 0));
        c.Abort();
    }

    [Fact]
    public void Rack_resends_a_lost_retransmission_once_a_segment_sent_after_it_is_sacked()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection(handshakeRtt: TimeSpan.FromMilliseconds(100));
        TcpSeq first = h.OurIss + 1;
        c.Send(new byte[40 * M]);
        h.Poll();
        Assert.Equal(10, h.TakeAll().Count);
        h.Advance(TimeSpan.FromMilliseconds(100));
        // Segment 0 lost: three SACKed segments leave no room for reordering, it is resent at once.
        for (int k = 2; k <= 4; k++) h.Inject(SackAck(h, first, first + M, first + k * M));
        Assert.Equal(1, h.Layer.Statistics.FastRetransmits);
        Assert.Contains(h.TakeAll(), s => s.Seq == first && s.Payload.Length == M);
        // The rest of the flight is SACKed; new data goes out behind the retransmission.
        for (int k = 5; k <= 10; k++) h.Inject(SackAck(h, first, first + M, first + k * M));
        IReadOnlyList<SentSegment> newData = h.TakeAll();
        Assert.Contains(newData, s => s.Seq == first + 10 * M);
        // The retransmission is lost too. A round trip later new data sent after it is SACKed: it is resent, no timeout.
        h.Advance(TimeSpan.FromMilliseconds(100));
        h.Inject(SackAck(h, first, first + M, first + 11 * M));
        Assert.Contains(h.TakeAll(), s => s.Seq == first && s.Payload.Length == M);
        Assert.Equal(0, h.Layer.Statistics.RetransmissionTimeouts);
        Assert.Equal(2, c.Retransmissions);
        c.Abort();
    }

    [Fact]
    public void Rack_waits_a_reordering_window_before_marking_a_segment_lost_then_resends_it_before_the_rto()
    {
        using var h = new TcpHarness();
        TcpConnection c = SendFlightAfterOneRtt(h, out TcpSeq first);
        // Only segment 1 arrived so far: segment 0 may just be reordered (window min_RTT / 4 = 25 ms).
        h.Inject(SackAck(h, first, first + M, first + 2 * M));
        h.ExpectNothing();
        h.RunUntil(h.Now + TimeSpan.FromMilliseconds(20));
        h.ExpectNothing();
        h.RunUntil(h.Now + TimeSpan.FromMilliseconds(10));
        h.Expect(TcpFlags.Ack, seq: first, length: M);
        Assert.Equal(0, h.Layer.Statistics.RetransmissionTimeouts);
        c.Abort();
    }

    [Fact]
    public void Rack_lets_a_reordered_segment_arrive_inside_the_reordering_window()
    {
        using var h = new TcpHarness();
        TcpConnection c = SendFlightAfterOneRtt(h, out TcpSeq first);
        h.Inject(SackAck(h, first, first + M, first + 2 * M));
        h.Advance(TimeSpan.FromMilliseconds(10));
        h.Inject(h.PeerAck(first + 2 * M)); // segment 0 was only late
        h.RunUntil(h.Now + TimeSpan.FromMilliseconds(50));
        Assert.DoesNotContain(h.TakeAll(), s => s.Seq == first && s.Payload.Length > 0);
        Assert.Equal(0, c.Retransmissions);
        c.Abort();
    }

    [Fact]
    public void Tail_loss_probe_resends_the_last_segment_before_the_rto_and_fast_recovery_follows_no_timeout()
    {
        using var h = new TcpHarness();
        TcpConnection c = SendFlightAfterOneRtt(h, out TcpSeq first);
        // The last two segments are lost: two in flight, so PTO = 2 * SRTT, before the RTO of SRTT + 200 ms.
        h.Inject(h.PeerAck(first + 8 * M));
        Instant acked = h.Now;
        h.RunUntil(acked + TimeSpan.FromMilliseconds(195));
        h.ExpectNothing();
        h.RunUntil(acked + TimeSpan.FromMilliseconds(205));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: first + 9 * M, length: M); // the probe: the last segment again
        Assert.Equal(1, h.Layer.Statistics.TailLossProbes);
        // The probe's SACK shows segment 8 missing: RACK marks it lost, fast recovery resends it, no timeout.
        h.Advance(TimeSpan.FromMilliseconds(100));
        h.Inject(SackAck(h, first + 8 * M, first + 9 * M, first + 10 * M));
        h.Expect(TcpFlags.Ack, seq: first + 8 * M, length: M);
        Assert.Equal(0, h.Layer.Statistics.RetransmissionTimeouts);
        c.Abort();
    }
}

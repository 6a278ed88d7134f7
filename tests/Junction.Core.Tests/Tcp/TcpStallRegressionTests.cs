using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Tcp;

/// <summary>Segment-level regressions for connections that stopped making progress on a lossy link.</summary>
public sealed class TcpStallRegressionTests
{
    /// <summary>Sends 3000 bytes, lets the RTO fire (SND.NXT goes back to SND.UNA) and returns SND.MAX.</summary>
    private static TcpSeq TimeOutAfterSending3000(TcpHarness h, TcpConnection c)
    {
        c.Send(new byte[3000]);
        h.Poll();
        Assert.Equal(3, h.TakeAll().Count);
        h.RunUntil(h.Now + TimeSpan.FromMilliseconds(200));
        h.Expect(TcpFlags.Ack, seq: h.OurIss + 1, length: 1448);
        h.ExpectNothing();
        return h.OurIss + 1 + 3000;
    }

    [Fact]
    public void Pure_ack_after_a_retransmission_timeout_carries_the_highest_sequence_number_sent()
    {
        // Both ends of an echo in timeout recovery at once stalled for good: each sent its ACKs with the SND.NXT the
        // timeout had moved back, the other had already acknowledged beyond it and dropped them as old duplicates.
        using var h = new TcpHarness(s => s.TailLossProbe = false); // this test is about the retransmission timer
        TcpConnection c = h.AcceptConnection();
        TcpSeq sndMax = TimeOutAfterSending3000(h, c);
        h.PeerSend(100);
        h.Expect(TcpFlags.Ack, seq: sndMax, ack: h.PeerSeq, length: 0);
        c.Abort();
    }

    [Fact]
    public void Window_update_after_a_retransmission_timeout_carries_the_highest_sequence_number_sent()
    {
        using var h = new TcpHarness(s =>
        {
            s.TailLossProbe = false; // this test is about the retransmission timer
            s.ReceiveBufferSize = 4096;
            s.InitialReceiveWindow = 4096;
        });
        TcpConnection c = h.AcceptConnection();
        TcpSeq sndMax = TimeOutAfterSending3000(h, c);
        for (int i = 0; i < 4; i++) h.PeerSend(1024);
        SentSegment closed = h.TakeAll()[^1];
        Assert.Equal(0, closed.Header.Window);
        Assert.Equal(4096, c.Receive(new byte[4096]));
        h.Poll();
        SentSegment update = h.Expect(TcpFlags.Ack, seq: sndMax, ack: h.PeerSeq, length: 0);
        Assert.True(update.Header.Window > 0);
        c.Abort();
    }

    [Fact]
    public void Challenge_ack_after_a_retransmission_timeout_carries_the_highest_sequence_number_sent()
    {
        using var h = new TcpHarness(s => s.TailLossProbe = false); // this test is about the retransmission timer
        TcpConnection c = h.AcceptConnection();
        TcpSeq sndMax = TimeOutAfterSending3000(h, c);
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq + 100, default));
        h.Expect(TcpFlags.Ack, seq: sndMax, ack: h.PeerSeq);
        Assert.Equal(1, h.Layer.Statistics.ChallengeAcksSent);
        c.Abort();
    }

    [Fact]
    public void Ack_ending_before_the_last_acknowledged_point_is_dropped_while_one_at_snd_max_is_accepted()
    {
        // The two ends of the stalled echo, segment by segment: A's data reached B and B acknowledged all of it, but
        // B's ACK was lost and A's RTO fired; A's next ACK (of B's data) must still be acceptable to B.
        using var h = new TcpHarness();
        TcpConnection b = h.AcceptConnection();
        for (int i = 0; i < 3; i++) h.PeerSend(1000);
        Assert.Equal(h.PeerSeq, h.TakeAll()[^1].Ack); // B acknowledged everything; suppose those ACKs were lost
        b.Send(new byte[1000]);
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: h.OurIss + 1, length: 1000);
        Assert.Equal(3000, b.ReceiveAvailable);
        // A timed out and went back to the start of its 3000 bytes; its ACK of B's data carries A's SND.MAX.
        TcpRepr ackFromA = h.PeerAck(h.OurIss + 1001);
        h.Inject(ackFromA);
        Assert.Equal(0, b.SendQueued);
        // The same ACK with SND.NXT moved back (what A used to send) lies before what B acknowledged and is dropped.
        b.Send(new byte[500]);
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: h.OurIss + 1001, length: 500);
        TcpRepr stale = h.PeerAck(h.OurIss + 1501);
        stale.SequenceNumber = h.PeerSeq - 3000 + 1448;
        h.Inject(stale);
        Assert.Equal(500, b.SendQueued);
        Assert.Equal(3000, b.ReceiveAvailable);
        b.Abort();
    }

    [Fact]
    public void Timeout_retransmits_the_first_segment_even_when_the_window_closed_under_data_in_flight()
    {
        // A reordered or duplicated older ACK can leave SND.WND at zero while data is in flight. The timeout used to
        // send nothing (no window room), so the peer never re-advertised its window and the connection died.
        using var h = new TcpHarness(s => s.TailLossProbe = false); // this test is about the retransmission timer
        TcpConnection c = h.AcceptConnection();
        c.Send(new byte[3000]);
        h.Poll();
        Assert.Equal(3, h.TakeAll().Count);
        TcpSeq second = h.OurIss + 1 + 1448;
        h.Inject(h.PeerAck(second, window: 0));
        h.ExpectNothing();
        h.RunUntil(h.Now + TimeSpan.FromMilliseconds(200));
        h.Expect(TcpFlags.Ack, seq: second, length: 1448);
        h.ExpectNothing();
        // The peer's answer opens the window again: the rest follows.
        h.Inject(h.PeerAck(second + 1448));
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: second + 1448, length: 104);
        c.Abort();
    }

    [Fact]
    public void Connection_is_not_timed_out_while_the_peer_answers_timeouts_with_a_closed_window()
    {
        using var h = new TcpHarness(s =>
        {
            s.TailLossProbe = false; // this test is about the retransmission timer
            s.MaxRetransmissions = 3;
            s.MaxRto = TimeSpan.FromSeconds(2);
        });
        TcpConnection c = h.AcceptConnection();
        c.Send(new byte[3000]);
        h.Poll();
        h.TakeAll();
        TcpSeq second = h.OurIss + 1 + 1448;
        h.Inject(h.PeerAck(second, window: 0));
        Instant start = h.Now;
        while (h.Now < start + TimeSpan.FromSeconds(20) && c.State == TcpState.Established)
        {
            h.RunUntil(Instant.Min(h.Layer.NextDeadline, start + TimeSpan.FromSeconds(20)));
            foreach (SentSegment s in h.TakeAll())
            {
                Assert.Equal(second, s.Seq);
                h.Inject(h.PeerAck(second, window: 0)); // alive, still no room
            }
        }
        Assert.Equal(TcpState.Established, c.State);
        Assert.True(c.Retransmissions > 3);
        // Once the peer falls silent the connection times out as usual.
        h.RunUntil(h.Now + TimeSpan.FromSeconds(30));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(System.Net.Sockets.SocketError.TimedOut, c.Error);
    }

    [Fact]
    public void Late_duplicate_of_an_ack_with_a_smaller_window_does_not_take_back_offered_room()
    {
        using var h = new TcpHarness();
        // Without timestamps (with them, PAWS would drop a reordered ACK carrying an older TSval).
        TcpConnection c = h.AcceptConnection(ts: false, peerWindow: 64); // 64 << 7 = 8192 bytes
        c.Send(new byte[6000]);
        h.Poll();
        Assert.Equal(6000, h.TakeAll().Sum(s => s.Payload.Length));
        TcpSeq una = h.OurIss + 1 + 1448;
        TcpRepr first = h.PeerAck(una, window: 64, ts: false);
        h.Inject(first);
        h.Inject(h.PeerAck(una, window: 96, ts: false)); // a window update: 12288 bytes from SND.UNA
        h.Inject(first); // the first ACK again (duplicated or reordered on the way), with its smaller window
        c.Send(new byte[10000]);
        h.Poll();
        // Room up to SND.UNA + 12288 = 7736 bytes beyond what was sent: five full segments (the rest waits, SWS).
        Assert.Equal(5 * 1460, h.TakeAll().Sum(s => s.Payload.Length));
        c.Abort();
    }
}

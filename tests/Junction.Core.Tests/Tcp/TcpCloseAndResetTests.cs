using System.Net.Sockets;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Tcp;

public sealed class TcpCloseAndResetTests
{
    [Fact]
    public void Exact_rst_resets_an_established_connection()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        var observer = new RecordingObserver();
        c.Observer = observer;
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq, default));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(SocketError.ConnectionReset, c.Error);
        Assert.Equal(1, observer.Closed);
        var e = Assert.Throws<SocketException>(() => c.Send(new byte[1]));
        Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
        h.ExpectNothing();
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void In_window_rst_that_is_not_exact_gets_a_challenge_ack()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq + 100, default));
        h.Expect(TcpFlags.Ack, seq: h.OurIss + 1, ack: h.PeerSeq);
        Assert.Equal(TcpState.Established, c.State);
        Assert.Equal(1, h.Layer.Statistics.ChallengeAcksSent);
        c.Abort();
    }

    [Fact]
    public void Out_of_window_rst_is_dropped_silently()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq + 10_000_000, default));
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq - 10, default));
        h.ExpectNothing();
        Assert.Equal(TcpState.Established, c.State);
        c.Abort();
    }

    [Fact]
    public void Syn_in_established_gets_a_challenge_ack_and_keeps_the_connection()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        TcpRepr syn = h.PeerSyn();
        syn.SequenceNumber = h.PeerSeq + 1000;
        syn.TsVal = h.PeerTsVal + 5;
        h.Inject(syn);
        h.Expect(TcpFlags.Ack, seq: h.OurIss + 1, ack: h.PeerSeq);
        Assert.Equal(TcpState.Established, c.State);
        c.Abort();
    }

    [Fact]
    public void Ack_of_unsent_data_is_dropped_with_its_data_and_answered_with_an_ack_when_established()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        TcpSeq before = h.PeerSeq;
        h.PeerSend(10, ackOverride: h.OurIss + 5000);
        h.Expect(TcpFlags.Ack, ack: before);
        h.ExpectNothing();
        Assert.Equal(0, c.ReceiveAvailable);
        Assert.Equal(1, h.Layer.Statistics.DroppedBadAck);
        c.Abort();
    }

    [Fact]
    public void Ack_of_unsent_data_gets_a_challenge_ack_in_close_wait()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(0, TcpFlags.Fin);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(TcpState.CloseWait, c.State);
        h.Inject(h.PeerAck(h.OurIss + 5000));
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(1, h.Layer.Statistics.DroppedBadAck);
        c.Abort();
    }

    [Fact]
    public void Timestamp_of_segment_with_ack_of_unsent_data_is_not_recorded()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        var recent = h.PeerTsVal; // the handshake's ACK carried it
        TcpRepr bad = h.PeerAck(h.OurIss + 5000);
        bad.TsVal = h.PeerTsVal + 1_000_000;
        h.Inject(bad);
        SentSegment challenge = h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(recent, challenge.Header.TsEcr);
        h.PeerSend(10);
        SentSegment ack = h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(h.PeerTsVal, ack.Header.TsEcr);
        Assert.Equal(10, c.ReceiveAvailable);
        c.Abort();
    }

    [Fact]
    public void Abort_reset_carries_timestamps()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.Abort();
        SentSegment rst = h.Expect(TcpFlags.Rst | TcpFlags.Ack);
        Assert.True(rst.Header.HasTimestamp);
    }

    [Fact]
    public void Challenge_acks_of_one_connection_are_limited_to_one_per_500_ms()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        for (int i = 0; i < 5; i++) h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq + 100 + i, default));
        Assert.Single(h.TakeAll());
        Assert.Equal(4, h.Layer.Statistics.ChallengeAcksSuppressed);
        h.Advance(TimeSpan.FromMilliseconds(499));
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq + 100, default));
        h.ExpectNothing();
        h.Advance(TimeSpan.FromMilliseconds(1));
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq + 100, default));
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        c.Abort();
    }

    [Fact]
    public void Challenge_acks_beyond_the_stack_wide_limit_are_suppressed()
    {
        using var h = new TcpHarness(s => s.ChallengeAckLimit = 0);
        TcpConnection c = h.AcceptConnection();
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, h.PeerSeq + 100, default));
        h.ExpectNothing();
        Assert.Equal(1, h.Layer.Statistics.ChallengeAcksSuppressed);
        c.Abort();
    }

    [Fact]
    public void Segment_with_old_timestamp_is_dropped_by_paws_and_acknowledged()
    {
        using var h = new TcpHarness(s => s.QuickAckSegments = 0);
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(100);
        TcpRepr old = h.PeerAck(h.OurIss + 1, TcpFlags.Psh);
        old.TsVal = h.PeerTsVal - 50;
        h.Inject(old, new byte[10]);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(100, c.ReceiveAvailable);
        Assert.Equal(1, h.Layer.Statistics.DroppedPaws);
        c.Abort();
    }

    [Fact]
    public void Abort_sends_rst_and_closes()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.Abort();
        h.Expect(TcpFlags.Rst | TcpFlags.Ack, seq: h.OurIss + 1, ack: h.PeerSeq);
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void Close_with_unread_data_sends_rst_instead_of_fin()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(100);
        h.TakeAll();
        c.Close();
        h.Expect(TcpFlags.Rst | TcpFlags.Ack);
        Assert.Equal(TcpState.Closed, c.State);
    }

    [Fact]
    public void Active_close_goes_through_fin_wait_and_time_wait_which_expires()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.Send(new byte[100]);
        c.Close();
        Assert.Equal(TcpState.FinWait1, c.State);
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin, seq: h.OurIss + 1, length: 100);
        h.Inject(h.PeerAck(h.OurIss + 102));
        Assert.Equal(TcpState.FinWait2, c.State);
        h.Inject(h.PeerAck(h.OurIss + 102, TcpFlags.Fin));
        h.PeerSeq += 1;
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(TcpState.TimeWait, c.State);
        // A retransmitted FIN is acknowledged again.
        h.PeerSeq -= 1;
        h.Inject(h.PeerAck(h.OurIss + 102, TcpFlags.Fin));
        h.PeerSeq += 1;
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        h.RunUntil(h.Now + TimeSpan.FromSeconds(59));
        Assert.Equal(TcpState.TimeWait, c.State);
        h.RunUntil(h.Now + TimeSpan.FromSeconds(1));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(SocketError.Success, c.Error);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void Passive_close_goes_through_close_wait_and_last_ack()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(5, TcpFlags.Fin);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        Assert.Equal(TcpState.CloseWait, c.State);
        Assert.False(c.IsReceiveComplete);
        Assert.Equal(5, c.Receive(new byte[10]));
        Assert.True(c.IsReceiveComplete);
        c.Close();
        Assert.Equal(TcpState.LastAck, c.State);
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, seq: h.OurIss + 1);
        h.Inject(h.PeerAck(h.OurIss + 2));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void Simultaneous_close_goes_through_closing_to_time_wait()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.Close();
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, seq: h.OurIss + 1);
        // The peer's FIN crosses ours: it does not acknowledge our FIN yet.
        h.Inject(h.PeerAck(h.OurIss + 1, TcpFlags.Fin));
        h.PeerSeq += 1;
        Assert.Equal(TcpState.Closing, c.State);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq);
        h.Inject(h.PeerAck(h.OurIss + 2));
        Assert.Equal(TcpState.TimeWait, c.State);
    }

    [Fact]
    public void Half_close_by_us_still_receives_data_from_the_peer()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.ShutdownSend();
        Assert.Throws<SocketException>(() => c.Send(new byte[1]));
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, seq: h.OurIss + 1);
        h.Inject(h.PeerAck(h.OurIss + 2));
        Assert.Equal(TcpState.FinWait2, c.State);
        byte[] data = h.PeerSend(300);
        byte[] read = new byte[300];
        Assert.Equal(300, c.Receive(read));
        Assert.Equal(data, read);
        h.PeerSend(0, TcpFlags.Fin);
        Assert.Equal(TcpState.TimeWait, c.State);
        Assert.True(c.IsReceiveComplete);
    }

    [Fact]
    public void Half_close_by_the_peer_still_lets_us_send()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        h.PeerSend(0, TcpFlags.Fin);
        Assert.Equal(TcpState.CloseWait, c.State);
        Assert.True(c.IsReceiveComplete);
        h.TakeAll();
        Assert.Equal(500, c.Send(new byte[500]));
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: h.OurIss + 1, ack: h.PeerSeq, length: 500);
        h.Inject(h.PeerAck(h.OurIss + 501));
        Assert.Equal(0, c.SendQueued);
        c.Close();
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Fin, seq: h.OurIss + 501);
    }

    [Fact]
    public void New_syn_with_newer_timestamp_reuses_a_time_wait_tuple()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.Close();
        h.Poll();
        h.TakeAll();
        h.Inject(h.PeerAck(h.OurIss + 2, TcpFlags.Fin));
        h.PeerSeq += 1;
        Assert.Equal(TcpState.TimeWait, c.State);
        h.TakeAll();
        // A SYN with an old timestamp is not a new connection: it gets an ACK (challenge) instead.
        TcpRepr oldSyn = h.PeerSyn();
        oldSyn.TsVal = h.PeerTsVal - 100;
        h.Inject(oldSyn);
        SentSegment reply = h.TakeAll().Single();
        Assert.False(reply.Header.Has(TcpFlags.Syn));
        // A newer one opens a new connection on the same tuple.
        h.PeerTsVal += 10;
        h.PeerSeq += 100_000;
        h.Inject(h.PeerSyn());
        h.Expect(TcpFlags.Syn | TcpFlags.Ack, ack: h.PeerSeq + 1);
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(1, h.Layer.ConnectionCount);
    }

    [Fact]
    public void Keepalive_probes_an_idle_connection_and_times_it_out()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.KeepAliveTime = TimeSpan.FromSeconds(10);
        c.KeepAliveInterval = TimeSpan.FromSeconds(2);
        c.KeepAliveProbes = 3;
        c.KeepAlive = true;
        Instant start = h.Now;
        h.RunUntil(start + TimeSpan.FromMilliseconds(9999));
        h.ExpectNothing();
        h.RunUntil(start + TimeSpan.FromSeconds(10));
        h.Expect(TcpFlags.Ack, seq: h.OurIss, length: 0);
        // The peer answers: the connection is alive, the idle time starts over.
        h.Inject(h.PeerAck(h.OurIss + 1));
        h.RunUntil(start + TimeSpan.FromSeconds(19));
        h.ExpectNothing();
        h.RunUntil(start + TimeSpan.FromSeconds(20));
        h.Expect(TcpFlags.Ack, seq: h.OurIss);
        h.RunUntil(start + TimeSpan.FromSeconds(22));
        h.Expect(TcpFlags.Ack, seq: h.OurIss);
        h.RunUntil(start + TimeSpan.FromSeconds(24));
        h.Expect(TcpFlags.Ack, seq: h.OurIss);
        h.RunUntil(start + TimeSpan.FromSeconds(26));
        h.Expect(TcpFlags.Rst | TcpFlags.Ack);
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(SocketError.TimedOut, c.Error);
    }
}

using System.Net.Sockets;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Tcp;

public sealed class TcpHandshakeTests
{
    [Theory]
    [InlineData(false, false, false, false)]
    [InlineData(true, false, false, false)]
    [InlineData(true, true, false, false)]
    [InlineData(true, false, true, false)]
    [InlineData(true, false, false, true)]
    [InlineData(true, true, true, true)]
    public void Passive_open_answers_only_the_options_the_peer_offered(bool mss, bool ws, bool ts, bool sack)
    {
        using var h = new TcpHarness();
        TcpListenEndpoint listener = h.Listener = h.Layer.Listen(Ipv4Address.Any, TcpHarness.LocalPort, 8);
        h.Inject(h.PeerSyn(mss, ws, sack, ts));
        SentSegment synAck = h.Expect(TcpFlags.Syn | TcpFlags.Ack, ack: h.PeerSeq + 1);
        Assert.True(synAck.Header.HasMss);
        Assert.Equal(1460, synAck.Header.Mss);
        Assert.Equal(ws, synAck.Header.HasWindowScale);
        Assert.Equal(sack, synAck.Header.SackPermitted);
        Assert.Equal(ts, synAck.Header.HasTimestamp);
        if (ts) Assert.Equal(h.PeerTsVal, synAck.Header.TsEcr);
        if (ws) Assert.Equal(7, synAck.Header.WindowScale); // from the 6 MiB maximum buffer, as Linux
        Assert.Equal(0, listener.PendingCount);

        h.OurIss = synAck.Seq;
        h.PeerSeq += 1;
        h.Inject(h.PeerAck(h.OurIss + 1, ts: ts));
        Assert.True(listener.TryAccept(out TcpConnection? c));
        Assert.Equal(TcpState.Established, c.State);
        int expectedMss = (mss ? 1460 : 536) - (ts ? 12 : 0);
        Assert.Equal(expectedMss, c.Mss);

        // Data segments carry timestamps exactly when negotiated, and a scaled window when scaling is on.
        c.Send(new byte[10]);
        h.Poll();
        SentSegment data = h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: h.OurIss + 1, ack: h.PeerSeq, length: 10);
        Assert.Equal(ts, data.Header.HasTimestamp);
        int scale = ws ? 7 : 0;
        Assert.InRange(data.Header.Window << scale, 60000, 70000);
    }

    [Fact]
    public void Active_open_sends_syn_with_all_options_and_completes_on_syn_ack()
    {
        using var h = new TcpHarness();
        var observer = new RecordingObserver();
        TcpConnection c = h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, TcpHarness.RemotePort, TcpHarness.LocalPort);
        c.Observer = observer;
        Assert.Equal(TcpState.SynSent, c.State);
        h.ExpectNothing(); // nothing before Poll
        h.Poll();
        SentSegment syn = h.Expect(TcpFlags.Syn);
        Assert.True(syn.Header.HasMss && syn.Header.HasWindowScale && syn.Header.SackPermitted && syn.Header.HasTimestamp);
        Assert.Equal(0u, syn.Header.TsEcr);
        Assert.Throws<SocketException>(() => c.Send(new byte[1]));

        TcpRepr synAck = h.PeerSyn();
        synAck.Flags = TcpFlags.Syn | TcpFlags.Ack;
        synAck.AckNumber = syn.Seq + 1;
        synAck.TsEcr = syn.Header.TsVal;
        h.Inject(synAck);
        h.Expect(TcpFlags.Ack, seq: syn.Seq + 1, ack: h.PeerSeq + 1);
        Assert.Equal(TcpState.Established, c.State);
        Assert.Equal(1, observer.Connected);
        Assert.Equal(1448, c.Mss);
        c.Dispose();
    }

    [Fact]
    public void Syn_is_retransmitted_with_backoff_and_connect_times_out()
    {
        using var h = new TcpHarness(s => s.SynRetries = 2);
        TcpConnection c = h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, TcpHarness.RemotePort);
        h.Poll();
        Instant start = h.Now;
        SentSegment syn = h.Expect(TcpFlags.Syn);
        h.RunUntil(start + TimeSpan.FromMilliseconds(999));
        h.ExpectNothing();
        h.RunUntil(start + TimeSpan.FromSeconds(1));
        h.Expect(TcpFlags.Syn, seq: syn.Seq);
        h.RunUntil(start + TimeSpan.FromMilliseconds(2999));
        h.ExpectNothing();
        h.RunUntil(start + TimeSpan.FromSeconds(3));
        h.Expect(TcpFlags.Syn, seq: syn.Seq);
        h.RunUntil(start + TimeSpan.FromSeconds(7));
        h.ExpectNothing();
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(SocketError.TimedOut, c.Error);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void Rst_with_acceptable_ack_in_syn_sent_refuses_the_connection()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, TcpHarness.RemotePort, TcpHarness.LocalPort);
        h.Poll();
        SentSegment syn = h.Expect(TcpFlags.Syn);
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, default, default)); // no ACK: ignored (RFC 5961 3.2)
        Assert.Equal(TcpState.SynSent, c.State);
        h.Inject(TcpHarness.Segment(TcpFlags.Rst | TcpFlags.Ack, default, syn.Seq + 5)); // wrong ACK: ignored
        Assert.Equal(TcpState.SynSent, c.State);
        h.ExpectNothing();
        h.Inject(TcpHarness.Segment(TcpFlags.Rst | TcpFlags.Ack, default, syn.Seq + 1));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(SocketError.ConnectionRefused, c.Error);
        h.ExpectNothing();
    }

    [Fact]
    public void Bad_ack_in_syn_sent_is_answered_with_reset()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, TcpHarness.RemotePort, TcpHarness.LocalPort);
        h.Poll();
        SentSegment syn = h.Expect(TcpFlags.Syn);
        h.Inject(TcpHarness.Segment(TcpFlags.Syn | TcpFlags.Ack, h.PeerSeq, syn.Seq + 100));
        h.Expect(TcpFlags.Rst, seq: syn.Seq + 100);
        Assert.Equal(TcpState.SynSent, c.State);
    }

    [Fact]
    public void Simultaneous_open_reaches_established_through_syn_received()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, TcpHarness.RemotePort, TcpHarness.LocalPort);
        h.Poll();
        SentSegment syn = h.Expect(TcpFlags.Syn);
        h.Inject(h.PeerSyn());
        Assert.Equal(TcpState.SynReceived, c.State);
        h.Expect(TcpFlags.Syn | TcpFlags.Ack, seq: syn.Seq, ack: h.PeerSeq + 1);
        // The peer, also in SYN-RECEIVED, sends its SYN-ACK: its SYN again with the ACK of ours.
        TcpRepr synAck = h.PeerSyn();
        synAck.Flags = TcpFlags.Syn | TcpFlags.Ack;
        synAck.AckNumber = syn.Seq + 1;
        synAck.TsEcr = syn.Header.TsVal;
        h.Inject(synAck);
        h.PeerSeq += 1;
        Assert.Equal(TcpState.Established, c.State);
        h.ExpectNothing();
        c.Send(new byte[10]);
        h.Poll();
        h.Expect(TcpFlags.Ack | TcpFlags.Psh, seq: syn.Seq + 1, ack: h.PeerSeq, length: 10);
        c.Abort();
    }

    [Fact]
    public void Closed_port_gets_rst_and_rst_gets_nothing()
    {
        using var h = new TcpHarness();
        h.Inject(TcpHarness.Segment(TcpFlags.Syn, new TcpSeq(100), default), default);
        h.Expect(TcpFlags.Rst | TcpFlags.Ack, seq: new TcpSeq(0), ack: new TcpSeq(101));
        h.Inject(TcpHarness.Segment(TcpFlags.Ack, new TcpSeq(100), new TcpSeq(777)), new byte[5]);
        h.Expect(TcpFlags.Rst, seq: new TcpSeq(777));
        h.Inject(TcpHarness.Segment(TcpFlags.Psh, new TcpSeq(100), default), new byte[5]);
        h.Expect(TcpFlags.Rst | TcpFlags.Ack, seq: new TcpSeq(0), ack: new TcpSeq(105));
        h.Inject(TcpHarness.Segment(TcpFlags.Rst, new TcpSeq(100), default));
        h.Inject(TcpHarness.Segment(TcpFlags.Rst | TcpFlags.Ack, new TcpSeq(100), new TcpSeq(1)));
        h.ExpectNothing();
        Assert.Equal(3, h.Layer.Statistics.ResetsSent);
    }

    [Fact]
    public void Ack_to_listener_without_valid_cookie_gets_rst()
    {
        using var h = new TcpHarness();
        h.Listener = h.Layer.Listen(Ipv4Address.Any, TcpHarness.LocalPort, 8);
        h.Inject(TcpHarness.Segment(TcpFlags.Ack, new TcpSeq(100), new TcpSeq(12345)));
        h.Expect(TcpFlags.Rst, seq: new TcpSeq(12345));
        Assert.Equal(1, h.Layer.Statistics.SynCookiesFailed);
    }

    [Fact]
    public void Syn_queue_overflow_answers_with_cookie_and_valid_cookie_ack_establishes()
    {
        using var h = new TcpHarness(s => s.SynQueueLength = 1);
        TcpListenEndpoint listener = h.Listener = h.Layer.Listen(Ipv4Address.Any, TcpHarness.LocalPort, 8);
        h.Inject(h.PeerSyn(), source: new Ipv4Address(10, 0, 0, 99)); // fills the SYN queue
        h.Expect(TcpFlags.Syn | TcpFlags.Ack);
        Assert.Equal(1, h.Layer.ConnectionCount);

        h.Inject(h.PeerSyn());
        SentSegment cookie = h.Expect(TcpFlags.Syn | TcpFlags.Ack, ack: h.PeerSeq + 1);
        Assert.Equal(1, h.Layer.ConnectionCount); // no state kept
        Assert.Equal(1, h.Layer.Statistics.SynCookiesSent);
        Assert.True(cookie.Header.HasTimestamp && cookie.Header.SackPermitted && cookie.Header.HasWindowScale);

        h.OurIss = cookie.Seq;
        h.PeerSeq += 1;
        TcpRepr ack = h.PeerAck(cookie.Seq + 1);
        ack.TsEcr = cookie.Header.TsVal;
        h.Inject(ack, "hello"u8);
        h.PeerSeq += 5;
        Assert.Equal(1, h.Layer.Statistics.SynCookiesValidated);
        Assert.True(listener.TryAccept(out TcpConnection? c));
        Assert.Equal(TcpState.Established, c.State);
        Assert.Equal(5, c.ReceiveAvailable);
        Assert.Equal(1448, c.Mss);
        h.Expect(TcpFlags.Ack, ack: h.PeerSeq); // quick ack of the data
        // Options decoded from the timestamp echo: SACK blocks are used.
        h.PeerSeq += 100;
        h.PeerSend(10);
        SentSegment dupAck = h.Expect(TcpFlags.Ack, ack: h.PeerSeq - 110);
        Assert.Equal(1, dupAck.Header.SackCount);
        byte[] buffer = new byte[5];
        c.Receive(buffer);
        Assert.Equal("hello"u8.ToArray(), buffer);
    }

    [Fact]
    public void Accept_queue_holds_backlog_plus_one_connections_then_drops_syns()
    {
        using var h = new TcpHarness();
        TcpListenEndpoint listener = h.Listener = h.Layer.Listen(Ipv4Address.Any, TcpHarness.LocalPort, 1);
        _ = h.AcceptConnection(); // accepted: queue empty again
        h.PeerSeq += 1000;
        for (byte host = 3; host <= 4; host++)
        {
            h.Inject(h.PeerSyn(), source: new Ipv4Address(10, 0, 0, host));
            SentSegment synAck = h.Expect(TcpFlags.Syn | TcpFlags.Ack);
            TcpRepr ack = h.PeerAck(synAck.Seq + 1);
            ack.SequenceNumber = h.PeerSeq + 1;
            h.Inject(ack, source: new Ipv4Address(10, 0, 0, host));
        }
        Assert.Equal(2, listener.PendingCount); // listen(fd, 1) keeps two, as Linux
        h.Inject(h.PeerSyn(), source: new Ipv4Address(10, 0, 0, 5));
        h.ExpectNothing();
        Assert.Equal(1, h.Layer.Statistics.DroppedListenOverflow);
    }

    [Fact]
    public void Disposing_listener_resets_unaccepted_connections()
    {
        using var h = new TcpHarness();
        TcpListenEndpoint listener = h.Layer.Listen(Ipv4Address.Any, TcpHarness.LocalPort, 4);
        h.Inject(h.PeerSyn());
        SentSegment synAck = h.Expect(TcpFlags.Syn | TcpFlags.Ack);
        h.PeerSeq += 1;
        h.Inject(h.PeerAck(synAck.Seq + 1));
        Assert.Equal(1, listener.PendingCount);
        listener.Dispose();
        h.Expect(TcpFlags.Rst | TcpFlags.Ack, seq: synAck.Seq + 1);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }

    [Fact]
    public void Listening_twice_on_the_same_port_fails_with_address_in_use()
    {
        using var h = new TcpHarness();
        using TcpListenEndpoint listener = h.Layer.Listen(Ipv4Address.Any, 8080, 4);
        var e = Assert.Throws<SocketException>(() => h.Layer.Listen(Ipv4Address.Any, 8080, 4));
        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
    }
}

internal sealed class RecordingObserver : ITcpConnectionObserver
{
    public int Connected { get; private set; }
    public int Readable { get; private set; }
    public int Writable { get; private set; }
    public int Closed { get; private set; }

    public void OnConnected(TcpConnection connection) => Connected++;
    public void OnReadable(TcpConnection connection) => Readable++;
    public void OnWritable(TcpConnection connection) => Writable++;
    public void OnClosed(TcpConnection connection) => Closed++;
}

public sealed class TcpHalfOpenTests
{
    [Fact]
    public void Retransmitted_syn_gets_the_syn_ack_again()
    {
        using var h = new TcpHarness();
        h.Listener = h.Layer.Listen(Ipv4Address.Any, TcpHarness.LocalPort, 4);
        h.Inject(h.PeerSyn());
        SentSegment first = h.Expect(TcpFlags.Syn | TcpFlags.Ack);
        h.Inject(h.PeerSyn());
        h.Expect(TcpFlags.Syn | TcpFlags.Ack, seq: first.Seq, ack: h.PeerSeq + 1);
        Assert.Equal(1, h.Layer.ConnectionCount);
    }

    [Fact]
    public void Unanswered_syn_ack_is_retransmitted_then_the_half_open_connection_is_dropped()
    {
        using var h = new TcpHarness(s => s.SynAckRetries = 2);
        TcpListenEndpoint listener = h.Listener = h.Layer.Listen(Ipv4Address.Any, TcpHarness.LocalPort, 4);
        h.Inject(h.PeerSyn());
        SentSegment synAck = h.Expect(TcpFlags.Syn | TcpFlags.Ack);
        Assert.Equal(1, listener.SynQueueCount);
        h.RunUntil(h.Now + TimeSpan.FromSeconds(10));
        Assert.Equal(2, h.TakeAll().Count(s => s.Flags == (TcpFlags.Syn | TcpFlags.Ack) && s.Seq == synAck.Seq));
        Assert.Equal(0, h.Layer.ConnectionCount);
        Assert.Equal(0, listener.SynQueueCount);
        Assert.Equal(0, listener.PendingCount);
    }

    [Fact]
    public void Ephemeral_ports_come_from_the_configured_range_and_differ()
    {
        using var h = new TcpHarness(s =>
        {
            s.EphemeralPortFirst = 50000;
            s.EphemeralPortLast = 50003;
        });
        var ports = new HashSet<ushort>();
        for (int i = 0; i < 4; i++)
        {
            TcpConnection c = h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, 80);
            Assert.InRange(c.LocalPort, (ushort)50000, (ushort)50003);
            ports.Add(c.LocalPort);
        }
        Assert.Equal(4, ports.Count);
        var e = Assert.Throws<SocketException>(() => h.Layer.Connect(TcpHarness.LocalAddress, TcpHarness.RemoteAddress, 80));
        Assert.Equal(SocketError.AddressNotAvailable, e.SocketErrorCode);
    }

    [Fact]
    public void Orphaned_fin_wait_2_does_not_wait_forever()
    {
        using var h = new TcpHarness();
        TcpConnection c = h.AcceptConnection();
        c.Close();
        h.Poll();
        h.Inject(h.PeerAck(h.OurIss + 2));
        Assert.Equal(TcpState.FinWait2, c.State);
        h.RunUntil(h.Now + TimeSpan.FromSeconds(61));
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Equal(0, h.Layer.ConnectionCount);
    }
}

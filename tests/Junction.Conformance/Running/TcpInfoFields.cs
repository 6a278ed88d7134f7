using Junction.Stack.Tcp;

namespace Junction.Conformance.Running;

/// <summary>
/// Linux <c>struct tcp_info</c> fields (as packetdrill hands them to <c>%{ }%</c> blocks), read from a Junction
/// connection's <see cref="TcpConnectionInfo"/>. Only fields the stack really keeps are provided; asking for any
/// other Linux field fails the script with "tcpi_xxx is not provided by Junction" instead of inventing a value.
/// Linux counts in-flight data in segments of snd_mss: Junction keeps bytes, so unacked and sacked are the byte
/// counts rounded up to whole snd_mss segments (exact while the segments are full-sized). tcpi_lost is not
/// provided: RACK's lost mark in Junction ends when the segment is resent, Linux's lost_out only when it is acknowledged.
/// </summary>
internal static class TcpInfoFields
{
    /// <summary>Every field name of Linux's tcp_info that packetdrill exports.</summary>
    private static readonly HashSet<string> LinuxFields =
    [
        "tcpi_state", "tcpi_ca_state", "tcpi_retransmits", "tcpi_probes", "tcpi_backoff", "tcpi_options",
        "tcpi_snd_wscale", "tcpi_rcv_wscale", "tcpi_delivery_rate_app_limited", "tcpi_rto", "tcpi_ato",
        "tcpi_snd_mss", "tcpi_rcv_mss", "tcpi_unacked", "tcpi_sacked", "tcpi_lost", "tcpi_retrans", "tcpi_fackets",
        "tcpi_last_data_sent", "tcpi_last_ack_sent", "tcpi_last_data_recv", "tcpi_last_ack_recv", "tcpi_pmtu",
        "tcpi_rcv_ssthresh", "tcpi_rtt", "tcpi_rttvar", "tcpi_snd_ssthresh", "tcpi_snd_cwnd", "tcpi_advmss",
        "tcpi_reordering", "tcpi_total_retrans", "tcpi_pacing_rate", "tcpi_max_pacing_rate", "tcpi_rcv_rtt",
        "tcpi_rcv_space", "tcpi_bytes_acked", "tcpi_bytes_received", "tcpi_segs_out", "tcpi_segs_in",
        "tcpi_notsent_bytes", "tcpi_min_rtt", "tcpi_data_segs_in", "tcpi_data_segs_out", "tcpi_delivery_rate",
        "tcpi_busy_time", "tcpi_rwnd_limited", "tcpi_sndbuf_limited", "tcpi_delivered", "tcpi_delivered_ce",
        "tcpi_bytes_sent", "tcpi_bytes_retrans", "tcpi_dsack_dups", "tcpi_reord_seen", "tcpi_rcv_ooopack",
        "tcpi_snd_wnd", "tcpi_rcv_wnd", "tcpi_rehash", "tcpi_total_rto", "tcpi_total_rto_recoveries",
        "tcpi_total_rto_time", "tcpi_ecn_mode", "tcpi_accecn_opt_seen", "tcpi_accecn_fail_mode", "tcpi_options2",
        "tcpi_received_ce", "tcpi_delivered_e1_bytes", "tcpi_delivered_e0_bytes", "tcpi_delivered_ce_bytes",
        "tcpi_received_e1_bytes", "tcpi_received_e0_bytes", "tcpi_received_ce_bytes",
    ];

    /// <summary>The symbolic names packetdrill defines for every block (tcpi_state, tcpi_ca_state, tcpi_options values).</summary>
    private static readonly Dictionary<string, long> Constants = new(StringComparer.Ordinal)
    {
        ["TCP_ESTABLISHED"] = 1, ["TCP_SYN_SENT"] = 2, ["TCP_SYN_RECV"] = 3, ["TCP_FIN_WAIT1"] = 4, ["TCP_FIN_WAIT2"] = 5,
        ["TCP_TIME_WAIT"] = 6, ["TCP_CLOSE"] = 7, ["TCP_CLOSE_WAIT"] = 8, ["TCP_LAST_ACK"] = 9, ["TCP_LISTEN"] = 10,
        ["TCP_CLOSING"] = 11,
        ["TCP_CA_Open"] = 0, ["TCP_CA_Disorder"] = 1, ["TCP_CA_CWR"] = 2, ["TCP_CA_Recovery"] = 3, ["TCP_CA_Loss"] = 4,
        ["TCPI_OPT_TIMESTAMPS"] = 1, ["TCPI_OPT_SACK"] = 2, ["TCPI_OPT_WSCALE"] = 4, ["TCPI_OPT_ECN"] = 8,
        ["TCPI_OPT_ECN_SEEN"] = 16, ["TCPI_OPT_SYN_DATA"] = 32, ["TCPI_OPT_USEC_TS"] = 64, ["TCPI_OPT_TFO_CHILD"] = 128,
    };

    /// <summary>Linux's TCP_INFINITE_SSTHRESH: ssthresh before the first loss.</summary>
    private const long InfiniteSsthresh = 0x7fffffff;

    /// <summary>Whether <paramref name="name"/> is one of packetdrill's symbolic constants.</summary>
    public static bool TryGetConstant(string name, out long value) => Constants.TryGetValue(name, out value);

    public static bool IsTcpInfoField(string name) => LinuxFields.Contains(name);

    /// <summary>
    /// The value of tcp_info field <paramref name="name"/> for the connection; throws a script failure for a field
    /// Junction does not provide or a name that is not a tcp_info field.
    /// </summary>
    public static long Get(string name, in TcpConnectionInfo info, Instant now, int line)
    {
        int mss = Math.Max(info.SendMss, 1);
        long? value = name switch
        {
            "tcpi_state" => LinuxState(info.State),
            "tcpi_ca_state" => info.InFastRecovery ? 3 : info.InTimeoutRecovery ? 4 : info.DuplicateAcks > 0 || info.SackedBytes > 0 ? 1 : 0,
            "tcpi_retransmits" => info.ConsecutiveTimeouts,
            "tcpi_probes" => info.ProbesWithoutAnswer,
            "tcpi_options" => (info.TimestampsEnabled ? 1 : 0) | (info.SackEnabled ? 2 : 0) | (info.WindowScaleEnabled ? 4 : 0),
            "tcpi_snd_wscale" => info.WindowScaleEnabled ? info.SendWindowScale : 0,
            "tcpi_rcv_wscale" => info.WindowScaleEnabled ? info.ReceiveWindowScale : 0,
            "tcpi_rto" => Micros(info.Rto),
            "tcpi_snd_mss" => info.SendMss,
            "tcpi_rcv_mss" => info.ReceiveMss,
            "tcpi_advmss" => info.AdvertisedMss,
            "tcpi_unacked" => Segments(info.BytesInFlight, mss),
            "tcpi_sacked" => Segments(info.SackedBytes, mss),
            // In-window segments refresh it; on a synchronized connection each of those carries an ACK (Linux: rcv_tstamp).
            "tcpi_last_ack_recv" => (now - info.LastSegmentReceived).Ticks / TimeSpan.TicksPerMillisecond,
            "tcpi_rtt" => info.HasRttSample ? Micros(info.SmoothedRtt) : 0,
            "tcpi_rttvar" => Micros(info.RttVariation),
            "tcpi_min_rtt" => info.HasRttSample ? Micros(info.MinRtt) : uint.MaxValue,
            "tcpi_snd_ssthresh" => info.SlowStartThreshold >= int.MaxValue / 2 ? InfiniteSsthresh : info.SlowStartThreshold / mss,
            "tcpi_snd_cwnd" => info.CongestionWindow / mss,
            // Junction's duplicate-ACK threshold; it never adapts it to measured reordering.
            "tcpi_reordering" => 3,
            "tcpi_total_retrans" => info.TotalRetransmissions,
            "tcpi_bytes_acked" => info.BytesAcked,
            "tcpi_bytes_received" => info.BytesReceived,
            "tcpi_notsent_bytes" => info.NotSentBytes,
            "tcpi_snd_wnd" => info.SendWindow,
            "tcpi_rcv_wnd" => info.ReceiveWindow,
            _ => null,
        };
        if (value is long v) return v;
        if (LinuxFields.Contains(name)) throw new ScriptFailure(line, $"{name} is not provided by Junction") { Unsupported = true };
        throw new ScriptFailure(line, $"python: name '{name}' is not defined ({name} is not a tcp_info field)");
    }

    private static long Segments(int bytes, int mss) => bytes <= 0 ? 0 : (bytes + mss - 1) / mss;

    private static long Micros(TimeSpan t) => t.Ticks / (TimeSpan.TicksPerMillisecond / 1000);

    private static long LinuxState(TcpState state) => state switch
    {
        TcpState.Established => 1,
        TcpState.SynSent => 2,
        TcpState.SynReceived => 3,
        TcpState.FinWait1 => 4,
        TcpState.FinWait2 => 5,
        TcpState.TimeWait => 6,
        TcpState.Closed => 7,
        TcpState.CloseWait => 8,
        TcpState.LastAck => 9,
        TcpState.Listen => 10,
        _ => 11,
    };
}

namespace Junction.Stack.Tcp;

/// <summary>
/// A read-only copy of a connection's internal state, for diagnostics and the conformance runner's tcp_info.
/// Taking it changes nothing. Sizes are in bytes, as Junction keeps them.
/// </summary>
internal readonly record struct TcpConnectionInfo
{
    public required TcpState State { get; init; }
    public required int SendMss { get; init; }
    public required int ReceiveMss { get; init; }
    public required int AdvertisedMss { get; init; }
    public required int CongestionWindow { get; init; }
    public required int SlowStartThreshold { get; init; }
    public required bool HasRttSample { get; init; }
    public required TimeSpan SmoothedRtt { get; init; }
    public required TimeSpan RttVariation { get; init; }
    public required TimeSpan MinRtt { get; init; }
    public required TimeSpan Rto { get; init; }
    public required int BytesInFlight { get; init; }
    public required int SackedBytes { get; init; }
    public required bool InFastRecovery { get; init; }
    public required bool InTimeoutRecovery { get; init; }
    public required int DuplicateAcks { get; init; }
    public required long BytesAcked { get; init; }
    public required long BytesReceived { get; init; }
    public required int NotSentBytes { get; init; }
    public required long TotalRetransmissions { get; init; }
    public required int ConsecutiveTimeouts { get; init; }
    public required int ProbesWithoutAnswer { get; init; }
    public required bool TimestampsEnabled { get; init; }
    public required bool SackEnabled { get; init; }
    public required bool WindowScaleEnabled { get; init; }
    public required int SendWindowScale { get; init; }
    public required int ReceiveWindowScale { get; init; }
    public required int SendWindow { get; init; }
    public required int ReceiveWindow { get; init; }
    public required Instant LastSegmentReceived { get; init; }
}

namespace Junction.Devices.Xdp;

/// <summary>The kernel's counters for one XDP socket (XDP_STATISTICS).</summary>
/// <param name="RxDropped">Frames dropped for reasons other than a full RX ring or an empty fill ring.</param>
/// <param name="RxInvalidDescriptors">Invalid fill ring descriptors.</param>
/// <param name="TxInvalidDescriptors">Invalid TX descriptors.</param>
/// <param name="RxRingFull">Frames dropped because the RX ring was full (the application did not receive fast enough).</param>
/// <param name="RxFillRingEmpty">Times the kernel found the fill ring empty (a frame was dropped for want of a buffer).</param>
/// <param name="TxRingEmpty">Times the kernel found the TX ring empty when woken.</param>
public readonly record struct XdpSocketStatistics(
    long RxDropped,
    long RxInvalidDescriptors,
    long TxInvalidDescriptors,
    long RxRingFull,
    long RxFillRingEmpty,
    long TxRingEmpty);

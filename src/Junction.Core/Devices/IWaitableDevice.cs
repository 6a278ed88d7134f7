namespace Junction.Devices;

/// <summary>
/// A device whose arrivals can wake a parked thread: the runtime waits on <see cref="WaitFileDescriptor"/> with
/// epoll instead of polling an idle queue. An AF_XDP socket is readable when its receive ring has entries; the
/// in-process virtual switch signals an eventfd.
/// </summary>
public interface IWaitableDevice
{
    /// <summary>A descriptor that polls readable once frames may be waiting after <see cref="PrepareToWait"/>.</summary>
    int WaitFileDescriptor { get; }

    /// <summary>
    /// Called by the thread that is about to wait on <see cref="WaitFileDescriptor"/>, after it polled the device dry.
    /// From the moment this returns true, a frame that becomes receivable makes the descriptor readable.
    /// </summary>
    /// <param name="nextArrival">When a frame already on its way becomes receivable (a simulated link delay), or <see cref="Instant.Never"/>.</param>
    /// <returns>False when frames are already receivable: poll again instead of waiting.</returns>
    bool PrepareToWait(out Instant nextArrival);

    /// <summary>Called when the wait is over (the descriptor was readable or the thread was woken otherwise): clears the readiness.</summary>
    void EndWait();
}

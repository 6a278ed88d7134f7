using Junction.Wire;

namespace Junction.Devices;

/// <summary>
/// One NIC queue pair as the stack sees it: batches of received frames lent out of device memory,
/// batches of frames to transmit, and the pool those frames come from. AF_XDP, rdma-core queues and the
/// in-process virtual switch all sit behind it with no copy at this boundary.
/// </summary>
public interface INetDevice : IDisposable
{
    /// <summary>The hardware address of the port.</summary>
    MacAddress MacAddress { get; }

    /// <summary>The largest IP packet the link carries (Ethernet payload), usually 1500.</summary>
    int Mtu { get; }

    /// <summary>Checksum work the device takes over.</summary>
    DeviceCapabilities Capabilities { get; }

    /// <summary>Where frames for transmit are rented, and where received frames live.</summary>
    FramePool Pool { get; }

    /// <summary>
    /// Takes up to <c>frames.Length</c> received frames. Each returned lease belongs to the caller, who
    /// releases it (or keeps it, e.g. as payload in a receive buffer, and releases it later).
    /// </summary>
    /// <returns>How many frames were written to <paramref name="frames"/>.</returns>
    int Receive(Span<Frame> frames);

    /// <summary>
    /// Queues frames for transmission. The device takes ownership of the first N frames it returns and releases
    /// them once sent; the caller still owns the rest and may retry or release them.
    /// </summary>
    /// <returns>How many frames, from the start of <paramref name="frames"/>, the device accepted.</returns>
    int Transmit(ReadOnlySpan<Frame> frames);
}

using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Tests.Sockets;

/// <summary>A virtual switch port that remembers which frame of its pool (index and window) every transmitted frame was.</summary>
internal sealed class RecordingPort(VirtualPort inner) : INetDevice, IWaitableDevice
{
    private readonly List<(int Index, int Offset, int Length)> _transmitted = [];

    public MacAddress MacAddress => inner.MacAddress;

    public int Mtu => inner.Mtu;

    public DeviceCapabilities Capabilities => inner.Capabilities;

    public FramePool Pool => inner.Pool;

    public int WaitFileDescriptor => inner.WaitFileDescriptor;

    /// <summary>The frames transmitted so far, oldest first.</summary>
    public (int Index, int Offset, int Length)[] Transmitted
    {
        get
        {
            lock (_transmitted) return [.. _transmitted];
        }
    }

    public int Receive(Span<Frame> frames) => inner.Receive(frames);

    public int Transmit(ReadOnlySpan<Frame> frames)
    {
        lock (_transmitted)
        {
            foreach (Frame frame in frames) _transmitted.Add((frame.Index, frame.Offset, frame.Length));
        }
        return inner.Transmit(frames);
    }

    public bool PrepareToWait(out Instant nextArrival) => inner.PrepareToWait(out nextArrival);

    public void EndWait() => inner.EndWait();

    public void Dispose() => inner.Dispose();
}

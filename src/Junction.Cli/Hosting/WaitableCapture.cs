using Junction.Devices;
using Junction.Wire;

namespace Junction.Cli.Hosting;

/// <summary>
/// A <see cref="CaptureDevice"/> the runtime can park on: frames go through the capture, waiting goes to the wrapped
/// device's descriptor (the capture itself has none, and the runtime only schedules waitable devices).
/// </summary>
internal sealed class WaitableCapture(CaptureDevice capture, IWaitableDevice inner) : INetDevice, IWaitableDevice
{
    public MacAddress MacAddress => capture.MacAddress;

    public int Mtu => capture.Mtu;

    public DeviceCapabilities Capabilities => capture.Capabilities;

    public FramePool Pool => capture.Pool;

    public int WaitFileDescriptor => inner.WaitFileDescriptor;

    public int Receive(Span<Frame> frames) => capture.Receive(frames);

    public int Transmit(ReadOnlySpan<Frame> frames) => capture.Transmit(frames);

    public bool PrepareToWait(out Instant nextArrival) => inner.PrepareToWait(out nextArrival);

    public void EndWait() => inner.EndWait();

    public void Dispose() => capture.Dispose();
}

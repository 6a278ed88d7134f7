using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Devices;

/// <summary>
/// Wraps any <see cref="INetDevice"/> (an AF_XDP queue, a virtual port) and impairs the frames passing through
/// it, in each direction with its own <see cref="FaultSettings"/>: loss, duplication, reordering, corruption,
/// delay, jitter and rate. Every decision comes from a generator seeded by the settings, so the same traffic meets
/// the same fate; time comes from a <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Frames that are delayed or reordered wait in preallocated queues of <c>holdCapacity</c> frames per direction;
/// when a queue is full the device stops taking frames from the inner device (receive) or from the caller
/// (transmit), so it never drops for lack of room. Duplicates are copies into frames rented from the inner
/// device's pool (a frame must not sit in a transmit ring twice). Held frames go out when <see cref="Receive"/>,
/// <see cref="Transmit"/> or <see cref="Flush"/> is called at or after their time; a driver that sleeps should wake
/// by <see cref="NextDeadline"/>. Not thread-safe, and the per-packet path allocates nothing.
/// </remarks>
public sealed class FaultInjectingDevice : INetDevice
{
    private const int ScratchLength = 64;
    private readonly INetDevice _inner;
    private readonly TimeProvider _clock;
    private readonly bool _ownsInner;
    private readonly FaultInjector _receiveFaults;
    private readonly FaultInjector _transmitFaults;
    private readonly DeliveryQueue _receiveHeld;
    private readonly DeliveryQueue _transmitHeld;
    private readonly Frame[] _scratch = new Frame[ScratchLength];
    private readonly Frame[] _transmitStaged;
    private int _stagedStart;
    private int _stagedCount;
    private long _sequence;
    private bool _disposed;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The device whose frames are impaired.</param>
    /// <param name="receiveFaults">What happens to frames on their way from the inner device to the stack.</param>
    /// <param name="transmitFaults">What happens to frames on their way from the stack to the inner device.</param>
    /// <param name="clock">The clock for delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="holdCapacity">How many frames each direction can hold back.</param>
    /// <param name="ownsInner">Whether disposing this device disposes <paramref name="inner"/>.</param>
    public FaultInjectingDevice(
        INetDevice inner,
        FaultSettings receiveFaults,
        FaultSettings transmitFaults,
        TimeProvider? clock = null,
        int holdCapacity = 1024,
        bool ownsInner = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(holdCapacity, 2);
        _inner = inner;
        _clock = clock ?? TimeProvider.System;
        _ownsInner = ownsInner;
        _receiveFaults = new FaultInjector(receiveFaults);
        _transmitFaults = new FaultInjector(transmitFaults);
        _receiveHeld = new DeliveryQueue(holdCapacity);
        _transmitHeld = new DeliveryQueue(holdCapacity);
        _transmitStaged = new Frame[ScratchLength];
    }

    /// <inheritdoc/>
    public MacAddress MacAddress => _inner.MacAddress;

    /// <inheritdoc/>
    public int Mtu => _inner.Mtu;

    /// <summary>
    /// The inner device's capabilities, except receive checksum offload when received frames may be corrupted here
    /// (the stack must then verify checksums itself to notice).
    /// </summary>
    public DeviceCapabilities Capabilities => _receiveFaults.Settings.CorruptRate > 0
        ? _inner.Capabilities & ~DeviceCapabilities.RxChecksumOffload
        : _inner.Capabilities;

    /// <inheritdoc/>
    public FramePool Pool => _inner.Pool;

    /// <summary>The wrapped device.</summary>
    public INetDevice Inner => _inner;

    /// <summary>Impairments applied to received frames so far.</summary>
    public FaultStatistics ReceiveStatistics => _receiveFaults.Statistics;

    /// <summary>Impairments applied to transmitted frames so far.</summary>
    public FaultStatistics TransmitStatistics => _transmitFaults.Statistics;

    /// <summary>Duplicates that were decided but not made because the pool had no free frame.</summary>
    public long DuplicatesSkipped { get; private set; }

    /// <summary>Frames held back in either direction (including transmit frames the inner device has not yet taken).</summary>
    public int HeldCount => _receiveHeld.Count + _transmitHeld.Count + _stagedCount;

    /// <summary>When the earliest held frame is due (<see cref="Instant.Never"/> when none is held).</summary>
    public Instant NextDeadline => _stagedCount > 0
        ? Instant.Zero
        : Instant.Min(_receiveHeld.NextDue, _transmitHeld.NextDue);

    /// <summary>
    /// Takes frames from the inner device through the receive faults, and returns those that are due, oldest
    /// first. Also sends transmit frames that have come due.
    /// </summary>
    /// <inheritdoc/>
    public int Receive(Span<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Instant now = Instant.Now(_clock);
        FlushTransmit(now);
        // Room for two copies of every frame taken, so nothing needs dropping for lack of space.
        int room = Math.Min(Math.Min(ScratchLength, frames.Length), (_receiveHeld.Capacity - _receiveHeld.Count) / 2);
        int taken = room > 0 ? _inner.Receive(_scratch.AsSpan(0, room)) : 0;
        for (int i = 0; i < taken; i++)
        {
            Impair(_receiveFaults, _receiveHeld, _scratch[i], now);
            _scratch[i] = default;
        }
        int count = 0;
        while (count < frames.Length && _receiveHeld.TryPopDue(now, out Frame frame)) frames[count++] = frame;
        return count;
    }

    /// <summary>
    /// Takes frames through the transmit faults (lost ones are released at once) and passes those that are due to
    /// the inner device. Accepts as many as the hold queue has room for.
    /// </summary>
    /// <inheritdoc/>
    public int Transmit(ReadOnlySpan<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Instant now = Instant.Now(_clock);
        int accepted = 0;
        while (accepted < frames.Length && _transmitHeld.Capacity - _transmitHeld.Count >= 2)
        {
            Impair(_transmitFaults, _transmitHeld, frames[accepted], now);
            accepted++;
        }
        FlushTransmit(now);
        return accepted;
    }

    /// <summary>Sends the transmit frames that are due now; call it when the stack is idle but frames are held.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        FlushTransmit(Instant.Now(_clock));
    }

    /// <summary>Releases every held frame, then disposes the inner device if this device owns it.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _receiveHeld.ReleaseAll();
        _transmitHeld.ReleaseAll();
        for (int i = 0; i < _stagedCount; i++)
        {
            ref Frame staged = ref _transmitStaged[(_stagedStart + i) % _transmitStaged.Length];
            staged.Release();
            staged = default;
        }
        _stagedCount = 0;
        if (_ownsInner) _inner.Dispose();
    }

    /// <summary>Applies one direction's faults to a frame this device now owns, queueing its copies by due time.</summary>
    private void Impair(FaultInjector faults, DeliveryQueue held, Frame frame, Instant now)
    {
        int copies = faults.Decide(frame.Length, out int corruptOffset, out byte corruptMask);
        if (copies == 0)
        {
            frame.Release();
            return;
        }
        if (corruptOffset >= 0)
        {
            // The cable damages what it carries, not the sender's memory: a frame someone else still holds (a send
            // buffer keeps payload in the frames it transmits) is corrupted in a copy. No frame for one: lost instead.
            if (frame.Pool.GetRefCount(frame.Index) > 1)
            {
                if (!frame.Pool.TryRent(out Frame own))
                {
                    frame.Release();
                    return;
                }
                own = own.WithWindow(frame.Offset, frame.Length);
                frame.Span.CopyTo(own.Span);
                frame.Release();
                frame = own;
            }
            frame.Span[corruptOffset] ^= corruptMask;
        }
        if (copies == 2)
        {
            if (_inner.Pool.TryRent(out Frame copy))
            {
                copy = copy.WithWindow(frame.Offset, frame.Length);
                frame.Span.CopyTo(copy.Span);
                held.Push(faults.Schedule(now, frame.Length), _sequence++, frame);
                held.Push(faults.Schedule(now, copy.Length), _sequence++, copy);
                return;
            }
            DuplicatesSkipped++;
        }
        held.Push(faults.Schedule(now, frame.Length), _sequence++, frame);
    }

    /// <summary>Moves due transmit frames to the inner device, oldest first; frames it refuses wait, in order, for the next call.</summary>
    private void FlushTransmit(Instant now)
    {
        while (true)
        {
            // Top up the staging ring with due frames, then offer its contiguous run to the inner device.
            while (_stagedCount < _transmitStaged.Length && _transmitHeld.TryPopDue(now, out Frame due))
            {
                _transmitStaged[(_stagedStart + _stagedCount) % _transmitStaged.Length] = due;
                _stagedCount++;
            }
            if (_stagedCount == 0) return;
            int run = Math.Min(_stagedCount, _transmitStaged.Length - _stagedStart);
            int sent = _inner.Transmit(_transmitStaged.AsSpan(_stagedStart, run));
            _transmitStaged.AsSpan(_stagedStart, sent).Clear();
            _stagedStart = (_stagedStart + sent) % _transmitStaged.Length;
            _stagedCount -= sent;
            if (sent < run) return;
        }
    }
}

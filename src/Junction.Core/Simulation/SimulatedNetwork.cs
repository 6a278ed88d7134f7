using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Simulation;

/// <summary>
/// Stack instances on one virtual switch, driven in simulated time from one thread: a discrete-event loop that
/// polls every instance, runs the application's step, and jumps the clock to the next timer or frame delivery when
/// nothing else can happen. Runs are deterministic for a given seed and fault settings.
/// </summary>
public sealed class SimulatedNetwork : IDisposable
{
    private readonly List<NetStack> _stacks = [];
    private readonly int _seed;

    /// <summary>Creates an empty network whose clock starts at zero; <paramref name="seed"/> seeds every instance.</summary>
    public SimulatedNetwork(int seed = 1)
    {
        _seed = seed;
        Switch = new VirtualSwitch(Clock);
    }

    /// <summary>The simulated clock.</summary>
    public SimulatedTimeProvider Clock { get; } = new();

    /// <summary>The switch joining the instances.</summary>
    public VirtualSwitch Switch { get; }

    /// <summary>The current simulated time.</summary>
    public Instant Now => Clock.Now;

    /// <summary>The instances, in the order added.</summary>
    public IReadOnlyList<NetStack> Stacks => _stacks;

    /// <summary>
    /// Adds an instance with address <paramref name="address"/>/24 on a new switch port. <paramref name="decorate"/>
    /// may wrap the port (a <see cref="Devices.CaptureDevice"/>, say); the wrapper is disposed with the network.
    /// </summary>
    public NetStack AddStack(string address, VirtualPortOptions? port = null, Action<NetStackOptions>? configure = null,
        Func<VirtualPort, INetDevice>? decorate = null)
    {
        var options = new NetStackOptions { Address = Ipv4Address.Parse(address), PrefixLength = 24, Seed = _seed * 7919 + _stacks.Count };
        configure?.Invoke(options);
        VirtualPort virtualPort = Switch.CreatePort(MacAddress.LocallyAdministered((uint)options.Address.Value), port);
        INetDevice device = decorate is null ? virtualPort : decorate(virtualPort);
        var stack = new NetStack(device, options, Now);
        _stacks.Add(stack);
        return stack;
    }

    /// <summary>Polls every instance once at the current time.</summary>
    public void PollAll()
    {
        Instant now = Now;
        foreach (NetStack stack in _stacks) stack.Poll(now);
    }

    /// <summary>
    /// Runs until <paramref name="done"/> returns true, calling <paramref name="step"/> (the application's work) every
    /// round. Returns false if the simulated clock would pass <paramref name="limit"/> from now, or if nothing more can
    /// ever happen (no frame in flight, no timer armed) before <paramref name="done"/> holds.
    /// </summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit, Action? step = null)
    {
        ArgumentNullException.ThrowIfNull(done);
        Instant end = Now + limit;
        while (true)
        {
            long before = FrameCount();
            PollAll();
            if (step is not null)
            {
                step();
                PollAll(); // send what the step queued before deciding that nothing moved
            }
            if (done()) return true;
            if (FrameCount() != before) continue;

            // Nothing moved this round: the next thing that can happen is a timer or a frame arriving.
            Instant next = Switch.NextDeliveryTime;
            foreach (NetStack stack in _stacks) next = Instant.Min(next, stack.NextDeadline);
            if (next == Instant.Never) return false;
            if (next <= Now) next = Now + TimeSpan.FromMicroseconds(1);
            if (next > end) return false;
            Clock.AdvanceTo(next);
        }
    }

    /// <summary>Runs for <paramref name="duration"/> of simulated time.</summary>
    public void RunFor(TimeSpan duration, Action? step = null)
    {
        Instant end = Now + duration;
        RunUntil(() => Now >= end, duration + TimeSpan.FromMicroseconds(1), step);
        Clock.AdvanceTo(end);
        PollAll();
    }

    private long FrameCount()
    {
        long total = 0;
        foreach (NetStack stack in _stacks) total += stack.Statistics.FramesReceived + stack.Statistics.FramesSent;
        return total;
    }

    /// <summary>Disposes every instance, then the switch.</summary>
    public void Dispose()
    {
        foreach (NetStack stack in _stacks)
        {
            stack.Dispose();
            stack.Device.Dispose();
        }
        Switch.Dispose();
    }
}

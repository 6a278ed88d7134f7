using System.Net;
using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Devices.Xdp;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;
using Microsoft.Extensions.Logging;

namespace Junction.Transport.Kestrel.Internal;

/// <summary>
/// The network stack the transport serves on: the instance the application handed over, or one the transport
/// created (a device, an instance and, unless one was given, a runtime) and disposes with the factory.
/// </summary>
internal sealed class JunctionHost : IDisposable
{
    private readonly JunctionRuntime? _ownedRuntime;
    private readonly INetDevice? _ownedDevice;
    private readonly bool _ownsInstance;
    private int _disposed;

    private JunctionHost(RuntimeInstance instance, bool ownsInstance, JunctionRuntime? ownedRuntime, INetDevice? ownedDevice)
    {
        Instance = instance;
        _ownsInstance = ownsInstance;
        _ownedRuntime = ownedRuntime;
        _ownedDevice = ownedDevice;
    }

    public RuntimeInstance Instance { get; }

    /// <summary>The address <paramref name="options"/> serve on, without starting anything.</summary>
    public static IPAddress ResolveAddress(JunctionTransportOptions options)
    {
        if (options.Instance is not null) return options.Instance.Stack.Address.ToIPAddress();
        if (string.IsNullOrWhiteSpace(options.Address)) throw new InvalidOperationException("Junction needs the stack's IPv4 address: set JunctionTransportOptions.Address (configuration \"Junction:Address\") or Instance.");
        if (!IPAddress.TryParse(options.Address, out IPAddress? address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new InvalidOperationException($"Junction's Address '{options.Address}' is not an IPv4 address.");
        }
        return address;
    }

    public static JunctionHost Start(JunctionTransportOptions options, ILogger logger)
    {
        if (options.Instance is RuntimeInstance given)
        {
            JunctionTransportLog.UsingInstance(logger, given.Stack.Address.ToIPAddress());
            return new JunctionHost(given, ownsInstance: false, ownedRuntime: null, ownedDevice: null);
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinKthreads, 1, nameof(options.MinKthreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxKthreads, options.MinKthreads, nameof(options.MaxKthreads));
        IPAddress address = ResolveAddress(options);
        var stackOptions = new NetStackOptions
        {
            Address = Ipv4Address.FromIPAddress(address),
            PrefixLength = options.PrefixLength,
            Mtu = options.Mtu,
        };
        if (!string.IsNullOrWhiteSpace(options.Gateway)) stackOptions.Gateway = Ipv4Address.Parse(options.Gateway);
        options.ConfigureStack?.Invoke(stackOptions);

        INetDevice device = OpenDevice(options, stackOptions.Address);
        JunctionRuntime? ownedRuntime = null;
        try
        {
            JunctionRuntime runtime = options.Runtime ?? (ownedRuntime = new JunctionRuntime(new JunctionRuntimeOptions
            {
                MaxKthreads = options.MaxKthreads,
                Mode = options.KthreadMode,
            }));
            RuntimeInstance instance = runtime.CreateInstance(device, stackOptions, new RuntimeInstanceOptions
            {
                MinKthreads = options.MinKthreads,
                MaxKthreads = options.MaxKthreads,
            });
            JunctionTransportLog.InstanceStarted(logger, address, options.PrefixLength, options.Device, device.MacAddress.ToString());
            return new JunctionHost(instance, ownsInstance: true, ownedRuntime, device);
        }
        catch
        {
            ownedRuntime?.Dispose();
            device.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_ownedRuntime is not null) _ownedRuntime.Dispose();
        else if (_ownsInstance) Instance.Dispose();
        _ownedDevice?.Dispose();
    }

    private static INetDevice OpenDevice(JunctionTransportOptions options, Ipv4Address address)
    {
        MacAddress? mac = string.IsNullOrWhiteSpace(options.MacAddress) ? null : Wire.MacAddress.Parse(options.MacAddress);
        switch (options.Device)
        {
            case JunctionDevice.VirtualSwitch:
                if (options.Switch is null) throw new InvalidOperationException("Junction's VirtualSwitch device needs JunctionTransportOptions.Switch: the in-process switch its clients are on.");
                return options.Switch.CreatePort(mac ?? Wire.MacAddress.LocallyAdministered(address.Value), new VirtualPortOptions { FrameCount = options.VirtualPortFrameCount });
            case JunctionDevice.Xdp:
                JunctionXdpOptions xdp = options.Xdp;
                if (string.IsNullOrWhiteSpace(xdp.InterfaceName)) throw new InvalidOperationException("Junction's Xdp device needs the interface: set JunctionTransportOptions.Xdp.InterfaceName (configuration \"Junction:Xdp:InterfaceName\").");
                var deviceOptions = new XdpDeviceOptions
                {
                    InterfaceName = xdp.InterfaceName,
                    QueueId = xdp.QueueId,
                    NetworkNamespace = xdp.NetworkNamespace,
                    AttachMode = xdp.AttachMode,
                    CopyMode = xdp.CopyMode,
                    FrameCount = xdp.FrameCount,
                    UseHugePages = xdp.UseHugePages,
                };
                deviceOptions.Addresses.Add(address);
                XdpDevice device = XdpDevice.Open(deviceOptions);
                if (mac is MacAddress wanted && wanted != device.MacAddress)
                {
                    device.Dispose();
                    throw new InvalidOperationException($"Junction's MacAddress {wanted} differs from {xdp.InterfaceName}'s {device.MacAddress}: AF_XDP sends and receives with the interface's address.");
                }
                return device;
            default:
                throw new InvalidOperationException($"Unknown Junction device '{options.Device}'.");
        }
    }
}

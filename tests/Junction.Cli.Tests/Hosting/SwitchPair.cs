using Junction.Cli.Hosting;
using Junction.Devices.Memory;
using Junction.Wire;

namespace Junction.Cli.Tests.Hosting;

/// <summary>
/// Two Junction hosts, each a runtime instance of its own, on one real-time virtual switch (no root): a server at
/// 10.77.0.1 and a client at 10.77.0.2.
/// </summary>
internal sealed class SwitchPair : IDisposable
{
    public static readonly Ipv4Address ServerAddress = new(10, 77, 0, 1);
    public static readonly Ipv4Address ClientAddress = new(10, 77, 0, 2);

    private readonly VirtualSwitch _switch = VirtualSwitch.CreateRealTime();

    public SwitchPair(HostSettings? server = null)
    {
        Server = JunctionHost.OpenOnSwitch(_switch, MacAddress.LocallyAdministered(1), ServerAddress, server ?? new HostSettings());
        Client = JunctionHost.OpenOnSwitch(_switch, MacAddress.LocallyAdministered(2), ClientAddress, new HostSettings(), client: true);
    }

    public JunctionHost Server { get; }

    public JunctionHost Client { get; }

    public static System.Net.IPEndPoint ServerEndPoint(ushort port) => new(ServerAddress.ToIPAddress(), port);

    /// <summary>Waits up to 10 s (a hang detector, not a timing goal) for <paramref name="condition"/>.</summary>
    public static bool Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(1);
        }
        return true;
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        _switch.Dispose();
    }
}

using System.Net;
using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Tests.Sockets;

/// <summary>Two instances (server 10.9.0.1, client 10.9.0.2) on a real-time virtual switch under one runtime.</summary>
internal sealed class SocketLab : IDisposable
{
    private static readonly VirtualPortOptions Port = new() { FrameCount = 4096, QueueCapacity = 2048 };

    public SocketLab(int maxKthreads = 2)
    {
        Switch = VirtualSwitch.CreateRealTime();
        Runtime = new JunctionRuntime(new JunctionRuntimeOptions { MaxKthreads = maxKthreads });
        Server = Add(1);
        Client = Add(2);
    }

    public VirtualSwitch Switch { get; }

    public JunctionRuntime Runtime { get; }

    public RuntimeInstance Server { get; }

    public RuntimeInstance Client { get; }

    public IPAddress ServerAddress => Server.Stack.Address.ToIPAddress();

    public IPAddress ClientAddress => Client.Stack.Address.ToIPAddress();

    private RuntimeInstance Add(int host)
    {
        VirtualPort port = Switch.CreatePort(MacAddress.LocallyAdministered((uint)(0x900 + host)), Port);
        var options = new NetStackOptions { Address = new Ipv4Address(10, 9, 0, (byte)host), Seed = host };
        options.Tcp.MinRto = TimeSpan.FromMilliseconds(20);
        options.Tcp.DelayedAckTimeout = TimeSpan.FromMilliseconds(5);
        return Runtime.CreateInstance(port, options);
    }

    /// <summary>Waits for <paramref name="task"/> with a generous bound, so a hang fails the test instead of the run.</summary>
    public static T Await<T>(Task<T> task)
    {
        Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "The operation did not complete within 30 s.");
        return task.Result;
    }

    public static void Await(Task task) => Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "The operation did not complete within 30 s.");

    public void Dispose()
    {
        Runtime.Dispose();
        Switch.Dispose();
    }
}

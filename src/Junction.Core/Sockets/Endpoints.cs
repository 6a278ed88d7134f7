using System.Net;
using System.Net.Sockets;
using Junction.Runtime;
using Junction.Wire;

namespace Junction.Sockets;

/// <summary>Address conversions and the wake-up that follows a change made to a stack from outside its kthreads.</summary>
internal static class Endpoints
{
    private static readonly Action<object?> s_nothing = static _ => { };

    /// <summary>The IPv4 address of <paramref name="address"/> (IPv4-mapped IPv6 too); other families fail as a socket would.</summary>
    public static Ipv4Address ToIpv4(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetwork) throw new SocketException((int)SocketError.AddressFamilyNotSupported);
        return Ipv4Address.FromIPAddress(address);
    }

    /// <summary>The IPv4 endpoint of <paramref name="endPoint"/>; other kinds fail as a socket would.</summary>
    public static IPEndPoint ToIPEndPoint(EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint is not IPEndPoint ip) throw new ArgumentException("Junction sockets take IPEndPoint addresses.", nameof(endPoint));
        ToIpv4(ip.Address);
        return ip;
    }

    /// <summary>
    /// After a change made to <paramref name="instance"/>'s stack outside its kthreads (under <c>EnterStack</c>): a
    /// posted uthread wakes a parked instance, whose next round then emits the output. Posting (not just activating)
    /// also covers a kthread that is parking right now: it re-checks its queues after going idle.
    /// </summary>
    public static void Kick(RuntimeInstance instance)
    {
        if (RuntimeInstance.Current != instance) instance.Post(s_nothing, null);
    }
}

using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Sockets;

/// <summary>
/// The TCP ports of one stack held by sockets that are bound or listening, so that a second <c>Bind</c> to the same
/// port fails with AddressAlreadyInUse at bind time, as on Linux (where SO_REUSEADDR, which .NET sets, does not
/// allow binding a port somebody listens on). The stack checks listeners itself at listen time.
/// </summary>
internal sealed class PortReservations
{
    private static readonly ConditionalWeakTable<NetStack, PortReservations> s_tables = [];
    private readonly HashSet<ushort> _ports = [];
    private readonly Random _random = new();

    public static PortReservations For(NetStack stack) => s_tables.GetValue(stack, static _ => new PortReservations());

    /// <summary>
    /// Takes <paramref name="port"/> (0: a free one of the default ephemeral range; the stack does not expose its
    /// settings, and its own picks for connections skip listening ports) or throws AddressAlreadyInUse.
    /// </summary>
    public ushort Reserve(ushort port)
    {
        var defaults = new TcpSettings();
        ushort ephemeralFirst = defaults.EphemeralPortFirst;
        ushort ephemeralLast = defaults.EphemeralPortLast;
        lock (_ports)
        {
            if (port != 0)
            {
                if (!_ports.Add(port)) throw new SocketException((int)SocketError.AddressAlreadyInUse);
                return port;
            }
            int count = ephemeralLast - ephemeralFirst + 1;
            int start = _random.Next(count);
            for (int i = 0; i < count; i++)
            {
                ushort candidate = (ushort)(ephemeralFirst + (start + i) % count);
                if (_ports.Add(candidate)) return candidate;
            }
            throw new SocketException((int)SocketError.AddressAlreadyInUse);
        }
    }

    public void Release(ushort port)
    {
        lock (_ports) _ports.Remove(port);
    }
}

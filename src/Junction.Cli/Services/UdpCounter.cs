using Junction.Stack;
using Junction.Stack.Udp;

namespace Junction.Cli.Services;

/// <summary>A Junction UDP receiver that takes every datagram off its socket on each poll and counts it (the UDP discard service).</summary>
internal sealed class UdpCounter
{
    private readonly UdpSocket _socket;
    private readonly byte[] _buffer = new byte[2048];
    private long _received;

    public UdpCounter(NetStack stack, ushort port)
    {
        _socket = stack.UdpBind(port);
    }

    public long Received => Volatile.Read(ref _received);

    /// <summary>Datagrams the socket dropped because its queue was full (the application fell behind).</summary>
    public long QueueDrops => _socket.Dropped;

    public void Poll()
    {
        long received = _received;
        while (_socket.TryReceiveFrom(_buffer, out _, out _, out _, out _)) received++;
        Volatile.Write(ref _received, received);
    }
}

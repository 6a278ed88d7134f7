using Junction.Stack.Udp;

namespace Junction.Interop.Tests.Udp;

/// <summary>A UDP echo on a Junction socket, run on the stack thread: every datagram goes back to its sender.</summary>
internal sealed class UdpEcho : IUdpObserver
{
    private readonly byte[] _buffer = new byte[2048];

    public UdpEcho(UdpSocket socket)
    {
        socket.Observer = this;
    }

    public int Echoed { get; private set; }

    public void OnReadable(UdpSocket socket)
    {
        while (socket.TryReceiveFrom(_buffer, out int length, out _, out var source, out ushort port))
        {
            if (socket.SendTo(_buffer.AsSpan(0, length), source, port)) Echoed++;
        }
    }
}

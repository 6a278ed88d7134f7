namespace Junction.Stack.Udp;

/// <summary>Told when a UDP socket has datagrams to read (called on the thread that drives the stack).</summary>
public interface IUdpObserver
{
    /// <summary>A datagram arrived on an empty queue.</summary>
    void OnReadable(UdpSocket socket);
}

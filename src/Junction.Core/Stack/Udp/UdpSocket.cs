using System.Net.Sockets;
using Junction.Devices;
using Junction.Wire;

namespace Junction.Stack.Udp;

/// <summary>
/// A bound UDP port on one stack instance. Received datagrams stay in the device frames they arrived in
/// until read (a bounded queue; overflow is dropped and counted). Use from the thread that drives the stack.
/// </summary>
public sealed class UdpSocket : IDisposable
{
    private struct Datagram
    {
        public Frame Payload;
        public Ipv4Address Source;
        public ushort SourcePort;
    }

    private readonly NetStack _stack;
    private readonly Datagram[] _queue;
    private int _head;
    private int _count;
    private bool _disposed;

    internal UdpSocket(NetStack stack, Ipv4Address localAddress, ushort localPort, int queueLength)
    {
        _stack = stack;
        LocalAddress = localAddress;
        LocalPort = localPort;
        _queue = new Datagram[queueLength];
    }

    /// <summary>The address the socket is bound to (<see cref="Ipv4Address.Any"/> for all).</summary>
    public Ipv4Address LocalAddress { get; }

    /// <summary>The bound port.</summary>
    public ushort LocalPort { get; }

    /// <summary>How many datagrams wait to be read.</summary>
    public int QueuedDatagrams => _count;

    /// <summary>Datagrams dropped because the queue was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Told when datagrams arrive.</summary>
    public IUdpObserver? Observer { get; set; }

    /// <summary>
    /// Sends one datagram. Throws <see cref="SocketException"/> with <see cref="SocketError.MessageSize"/> when it does
    /// not fit one packet (the stack does not fragment). Returns false when it could not be queued now (no frame).
    /// </summary>
    public bool SendTo(ReadOnlySpan<byte> datagram, Ipv4Address address, ushort port)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _stack.SendUdp(LocalAddress, LocalPort, address, port, datagram);
    }

    /// <summary>
    /// Reads the oldest datagram into <paramref name="buffer"/>. Returns false when none is queued. A datagram longer
    /// than the buffer is truncated (the rest is lost), and <paramref name="datagramLength"/> tells its full length.
    /// </summary>
    public bool TryReceiveFrom(Span<byte> buffer, out int bytesCopied, out int datagramLength, out Ipv4Address source, out ushort sourcePort)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_count == 0)
        {
            bytesCopied = datagramLength = 0;
            source = default;
            sourcePort = 0;
            return false;
        }
        ref Datagram d = ref _queue[_head];
        Span<byte> payload = d.Payload.Span;
        datagramLength = payload.Length;
        bytesCopied = Math.Min(payload.Length, buffer.Length);
        payload[..bytesCopied].CopyTo(buffer);
        source = d.Source;
        sourcePort = d.SourcePort;
        d.Payload.Release();
        d = default;
        _head = (_head + 1) % _queue.Length;
        _count--;
        return true;
    }

    /// <summary>Queues a received datagram, keeping its frame (caller keeps its own reference).</summary>
    internal bool Deliver(in Frame payload, Ipv4Address source, ushort sourcePort)
    {
        if (_count == _queue.Length)
        {
            Dropped++;
            return false;
        }
        payload.AddRef();
        _queue[(_head + _count) % _queue.Length] = new Datagram { Payload = payload, Source = source, SourcePort = sourcePort };
        _count++;
        if (_count == 1) Observer?.OnReadable(this);
        return true;
    }

    /// <summary>Unbinds the port and releases queued datagrams.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        while (_count > 0)
        {
            _queue[_head].Payload.Release();
            _queue[_head] = default;
            _head = (_head + 1) % _queue.Length;
            _count--;
        }
        _stack.Unbind(this);
    }
}

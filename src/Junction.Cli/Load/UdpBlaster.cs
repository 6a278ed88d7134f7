using System.Net;
using System.Net.Sockets;

namespace Junction.Cli.Load;

/// <summary>
/// The udp-pps load: Linux senders in the current namespace, each on its own thread with its own connected UDP socket (so its own
/// source port), sending 64-byte datagrams as fast as the kernel takes them until stopped: batches of
/// <see cref="Batch"/> through sendmmsg, or with <c>batched</c> off one Socket.Send per datagram.
/// </summary>
internal sealed class UdpBlaster : IDisposable
{
    public const int DatagramLength = 64;
    public const int Batch = 64;

    private readonly Socket[] _sockets;
    private readonly Thread[] _threads;
    private readonly long[] _sent;
    private readonly bool _batched;
    private volatile bool _stopping;

    public UdpBlaster(IPEndPoint target, int senders, bool batched)
    {
        _batched = batched;
        _sockets = new Socket[senders];
        _threads = new Thread[senders];
        _sent = new long[senders * 16]; // one cache line apart
        for (int i = 0; i < senders; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(target);
            _sockets[i] = socket;
            int index = i;
            _threads[i] = new Thread(() => Blast(index)) { IsBackground = true, Name = $"udp sender {i}" };
        }
        foreach (Thread thread in _threads) thread.Start();
    }

    /// <summary>Datagrams the senders' sockets accepted so far.</summary>
    public long Sent
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _threads.Length; i++) total += Volatile.Read(ref _sent[i * 16]);
            return total;
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (Thread thread in _threads) thread.Join();
        foreach (Socket socket in _sockets) socket.Dispose();
    }

    private void Blast(int index)
    {
        Socket socket = _sockets[index];
        long sent = 0;
        if (_batched)
        {
            using var batch = new SendMmsg(socket, DatagramLength, Batch);
            while (!_stopping)
            {
                sent += batch.Send();
                Volatile.Write(ref _sent[index * 16], sent);
            }
            return;
        }
        byte[] datagram = new byte[DatagramLength];
        while (!_stopping)
        {
            try
            {
                socket.Send(datagram);
                Volatile.Write(ref _sent[index * 16], ++sent);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.ConnectionRefused)
            {
                // A full queue or an ICMP error from an earlier datagram: keep sending.
            }
        }
    }
}

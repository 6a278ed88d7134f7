using System.Net;
using System.Net.Sockets;
using Junction.Cli.Hosting;
using Junction.Runtime;
using Junction.Sockets;

namespace Junction.Cli.Services;

/// <summary>
/// The UDP discard service on a <see cref="JunctionSocket"/>: one receive loop, a uthread of the instance, takes every
/// datagram off the socket and counts it. While datagrams are queued a receive completes at once; when the queue is
/// empty it waits, and the instance may park.
/// </summary>
internal sealed class UdpCounter : IAsyncDisposable
{
    private readonly JunctionSocket _socket;
    private readonly byte[] _buffer = new byte[2048];
    private readonly Task _receiving;
    private long _received;

    public UdpCounter(RuntimeInstance instance, ushort port)
    {
        _socket = new JunctionSocket(instance, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(IPAddress.Any, port));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        _receiving = JunctionHost.Run(instance, ReceiveAsync);
    }

    /// <summary>Datagrams received so far; readable from any thread.</summary>
    public long Received => Interlocked.Read(ref _received);

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _receiving.ConfigureAwait(false);
    }

    private async Task ReceiveAsync()
    {
        Memory<byte> buffer = _buffer;
        while (true)
        {
            try
            {
                await _socket.ReceiveAsync(buffer).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // the socket was disposed
            }
            // One writer: a plain read-modify-write, published for the readers.
            Volatile.Write(ref _received, _received + 1);
        }
    }
}

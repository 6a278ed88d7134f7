using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Junction.Interop;

namespace Junction.Compat;

/// <summary>
/// The datagrams of one emulated UDP socket: those the program writes into its end of the SOCK_SEQPACKET pair without
/// an address (write or send on a connected socket) go to the connected peer; those the stack receives go into the
/// pair, one record each, with their senders remembered for recvfrom. One rented 64 KiB buffer per direction.
/// </summary>
internal static class UdpBridge
{
    private const int MaxDatagram = 65536;
    private const short PollHangUp = 0x10;

    /// <summary>Runs from socket() until the program closed its end everywhere, then lets the socket go.</summary>
    public static async Task FromProgramAsync(SeccompSupervisor owner, CompatSocket socket)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
        try
        {
            while (true)
            {
                int received;
                try
                {
                    received = await socket.Host.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                // A record of length 0 is an empty datagram, unless the program's end is gone.
                if (received == 0 && HungUp(socket)) return;
                IPEndPoint? peer;
                lock (owner.Gate) peer = socket.UdpPeer;
                if (peer is null) continue;
                try
                {
                    socket.Junction.SendTo(buffer.AsSpan(0, received), peer);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // Dropped, as a datagram the kernel could not send.
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            lock (owner.Gate)
            {
                owner.Forget(socket);
                socket.Close();
            }
        }
    }

    /// <summary>Runs once the socket has a port: every datagram the stack receives goes to the supervisor, which puts it in the pair.</summary>
    public static async Task ToProgramAsync(SeccompSupervisor owner, CompatSocket socket)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
        var any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (true)
            {
                SocketReceiveFromResult result;
                try
                {
                    result = await socket.Junction.ReceiveFromAsync(buffer, SocketFlags.None, any).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                owner.Deliver(socket, buffer.AsSpan(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static unsafe bool HungUp(CompatSocket socket)
    {
        var poll = new Libc.PollFd { Fd = socket.HostFd, Events = Libc.POLLIN };
        return Libc.Poll(&poll, 1, 0) > 0 && (poll.Revents & PollHangUp) != 0;
    }
}

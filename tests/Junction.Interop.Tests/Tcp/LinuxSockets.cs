using System.Net;
using System.Net.Sockets;

namespace Junction.Interop.Tests.Tcp;

/// <summary>System.Net.Sockets peers: sockets created in the lab's client namespace are the Linux kernel's TCP.</summary>
internal static class LinuxSockets
{
    public static Socket NewTcp(JunctionInstance junction) =>
        junction.OnLinux(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));

    public static Socket[] NewTcp(JunctionInstance junction, int count) =>
        junction.OnLinux(() =>
        {
            var sockets = new Socket[count];
            for (int i = 0; i < count; i++) sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            return sockets;
        });

    /// <summary>Reads until the peer's FIN (a read of 0 bytes) and returns everything read.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellation)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0) received.Write(buffer, 0, read);
        return received.ToArray();
    }

    /// <summary>Reads until the peer's FIN, counting the bytes without keeping them.</summary>
    public static async Task<long> CountToEndAsync(Socket socket, CancellationToken cancellation)
    {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0) total += read;
        return total;
    }

    /// <summary>Sends all of <paramref name="data"/>, then shuts the sending side down (FIN).</summary>
    public static async Task SendAllAndShutdownAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, cancellation);
            data = data[sent..];
        }
        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Connects, sends <paramref name="data"/> and half-closes while reading the echo to its end; returns the echo.</summary>
    public static async Task<byte[]> EchoAsync(Socket socket, EndPoint server, byte[] data, CancellationToken cancellation)
    {
        await socket.ConnectAsync(server, cancellation);
        Task send = SendAllAndShutdownAsync(socket, data, cancellation);
        byte[] echo = await ReadToEndAsync(socket, cancellation);
        await send;
        return echo;
    }

    public static byte[] SeededBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Junction.Bench;

/// <summary>The same scenarios on the Linux kernel's TCP over loopback, for ratios measured in the same run.</summary>
internal static class LinuxBenchmarks
{
    public static BenchResult Bulk(int mebibytes)
    {
        (Socket client, Socket server) = Connect();
        using (client)
        using (server)
        {
            byte[] chunk = new byte[256 * 1024];
            long total = (long)mebibytes << 20;
            var reader = new Thread(() =>
            {
                byte[] sink = new byte[256 * 1024];
                long received = 0;
                while (received < total + (64L << 20))
                {
                    int n = server.Receive(sink);
                    if (n == 0) break;
                    received += n;
                }
            });
            reader.Start();
            Send(client, chunk, 64L << 20);
            var watch = Stopwatch.StartNew();
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            Send(client, chunk, total);
            reader.Join();
            watch.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            return new BenchResult(total * 8 / watch.Elapsed.TotalSeconds / 1e9, (double)allocated / mebibytes);
        }
    }

    public static BenchResult RequestResponse(int count)
    {
        (Socket client, Socket server) = Connect();
        using (client)
        using (server)
        {
            int total = count + count / 10;
            var echo = new Thread(() =>
            {
                byte[] buffer = new byte[64];
                for (int i = 0; i < total; i++)
                {
                    ReceiveExactly(server, buffer);
                    server.Send(buffer);
                }
            });
            echo.Start();
            byte[] request = new byte[64];
            byte[] response = new byte[64];
            for (int i = 0; i < count / 10; i++) RoundTrip(client, request, response);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < count; i++) RoundTrip(client, request, response);
            watch.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            echo.Join();
            return new BenchResult(count / watch.Elapsed.TotalSeconds, (double)allocated / count);
        }
    }

    private static void RoundTrip(Socket client, byte[] request, byte[] response)
    {
        client.Send(request);
        ReceiveExactly(client, response);
    }

    private static void ReceiveExactly(Socket socket, byte[] buffer)
    {
        int have = 0;
        while (have < buffer.Length)
        {
            int n = socket.Receive(buffer, have, buffer.Length - have, SocketFlags.None);
            if (n == 0) throw new InvalidOperationException("Peer closed during a round trip.");
            have += n;
        }
    }

    private static void Send(Socket socket, byte[] chunk, long total)
    {
        for (long sent = 0; sent < total;) sent += socket.Send(chunk, 0, (int)Math.Min(chunk.Length, total - sent), SocketFlags.None);
    }

    private static (Socket Client, Socket Server) Connect()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        Socket server = listener.Accept();
        server.NoDelay = true;
        return (client, server);
    }
}

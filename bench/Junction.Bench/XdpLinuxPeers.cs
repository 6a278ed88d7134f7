using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Junction.Lab;
using Junction.Wire;

namespace Junction.Bench;

/// <summary>
/// The Linux kernel's side of each scenario: System.Net.Sockets clients and servers inside a lab namespace. Server
/// threads started here run on <see cref="XdpAffinity.ServerCpu"/>.
/// </summary>
internal static class XdpLinuxPeers
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A socket that belongs to <paramref name="side"/>'s namespace (usable from any thread afterwards).</summary>
    public static Socket Create(JunctionLab lab, LabSide side, SocketType type, ProtocolType protocol) =>
        lab.RunInNamespace(side, () => new Socket(AddressFamily.InterNetwork, type, protocol));

    public static Socket ConnectTcp(JunctionLab lab, LabSide side, Ipv4Address address, ushort port)
    {
        Socket socket = Create(lab, side, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            socket.ConnectAsync(new IPEndPoint(address.ToIPAddress(), port), timeout.Token).AsTask().GetAwaiter().GetResult();
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Socket Listen(JunctionLab lab, LabSide side, Ipv4Address address, ushort port)
    {
        Socket socket = Create(lab, side, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address.ToIPAddress(), port));
        socket.Listen();
        return socket;
    }

    /// <summary>64-byte round trips on a blocking socket, one outstanding; only the ones after the warm-up are recorded.</summary>
    public static XdpLatencyHistogram PingPong(Socket socket, int warmup, int count)
    {
        byte[] request = new byte[64];
        byte[] answer = new byte[64];
        var histogram = new XdpLatencyHistogram();
        socket.ReceiveTimeout = 10_000;
        for (int i = 0; i < warmup + count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            socket.Send(request);
            ReceiveExactly(socket, answer);
            long end = Stopwatch.GetTimestamp();
            if (i >= warmup) histogram.Record(start, end);
        }
        return histogram;
    }

    /// <summary>Accepts one connection and echoes it until the peer closes (a kernel-to-kernel round trip partner).</summary>
    public static Thread StartEchoServer(Socket listener) => Start("linux echo", () =>
    {
        using Socket connection = listener.Accept();
        connection.NoDelay = true;
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = connection.Receive(buffer)) > 0)
        {
            for (int sent = 0; sent < n;) sent += connection.Send(buffer, sent, n - sent, SocketFlags.None);
        }
    });

    /// <summary>Accepts one connection and reads it to the end into <paramref name="probe"/>.</summary>
    public static Thread StartSink(Socket listener, XdpThroughputProbe probe) => Start("linux sink", () =>
    {
        using Socket connection = listener.Accept();
        byte[] buffer = new byte[256 * 1024];
        int n;
        while ((n = connection.Receive(buffer)) > 0) probe.Add(n);
    });

    /// <summary>Sends <paramref name="total"/> bytes of a fixed pattern, then half-closes.</summary>
    public static void SendBulk(Socket socket, long total)
    {
        byte[] chunk = new byte[256 * 1024];
        new Random(1).NextBytes(chunk);
        for (long sent = 0; sent < total;) sent += socket.Send(chunk, 0, (int)Math.Min(chunk.Length, total - sent), SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Counts datagrams arriving on <paramref name="socket"/> into <paramref name="received"/> until <paramref name="stop"/> is set.</summary>
    public static Thread StartUdpReceiver(Socket socket, StrongBox<long> received, StrongBox<bool> stop) => Start("linux udp receiver", () =>
    {
        byte[] buffer = new byte[2048];
        socket.ReceiveTimeout = 100;
        long count = 0;
        while (!Volatile.Read(ref stop.Value))
        {
            try
            {
                socket.Receive(buffer);
                Volatile.Write(ref received.Value, ++count);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                // Nothing within 100 ms: look at the stop flag again.
            }
        }
    });

    private static void ReceiveExactly(Socket socket, byte[] buffer)
    {
        int have = 0;
        while (have < buffer.Length)
        {
            int n = socket.Receive(buffer, have, buffer.Length - have, SocketFlags.None);
            if (n == 0) throw new InvalidOperationException("The peer closed during a round trip.");
            have += n;
        }
    }

    private static Thread Start(string name, Action body)
    {
        var thread = new Thread(() =>
        {
            XdpAffinity.Pin(XdpAffinity.ServerCpu);
            body();
        }) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }
}

using System.Net;
using System.Net.Sockets;
using Junction.Lab;
using Junction.Wire;

namespace Junction.Cli.Linux;

/// <summary>
/// The Linux kernel's side of each scenario: System.Net.Sockets servers whose sockets belong to a lab namespace
/// (created there, used from any thread), a thread per connection, as a classic blocking server.
/// </summary>
internal sealed class LinuxServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Thread _acceptor;
    private readonly List<Socket> _connections = [];
    private readonly Action<Socket, LinuxServer> _serve;
    private long _received;
    private volatile bool _stopping;

    private LinuxServer(Socket listener, Action<Socket, LinuxServer> serve, string name)
    {
        _listener = listener;
        _serve = serve;
        _acceptor = new Thread(Accept) { IsBackground = true, Name = name };
        _acceptor.Start();
    }

    /// <summary>Bytes (TCP) or datagrams (UDP) received so far.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>A TCP echo server on <paramref name="address"/>:<paramref name="port"/> in <paramref name="side"/>'s namespace.</summary>
    public static LinuxServer Echo(JunctionLab? lab, LabSide side, Ipv4Address address, ushort port) =>
        new(Listen(lab, side, address, port), static (connection, _) => EchoLoop(connection), "linux echo");

    /// <summary>A TCP discard server that counts the bytes it reads.</summary>
    public static LinuxServer Discard(JunctionLab? lab, LabSide side, Ipv4Address address, ushort port) =>
        new(Listen(lab, side, address, port), static (connection, server) => server.DiscardLoop(connection), "linux discard");

    /// <summary>A UDP socket that counts the datagrams it receives.</summary>
    public static LinuxServer UdpCounter(JunctionLab? lab, LabSide side, Ipv4Address address, ushort port)
    {
        Socket socket = Create(lab, side, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 << 20;
        socket.Bind(new IPEndPoint(address.ToIPAddress(), port));
        return new LinuxServer(socket, null!, "linux udp");
    }

    /// <summary>A socket that belongs to <paramref name="side"/>'s namespace (the current one when there is no lab).</summary>
    public static Socket Create(JunctionLab? lab, LabSide side, SocketType type, ProtocolType protocol) =>
        lab is null ? new Socket(AddressFamily.InterNetwork, type, protocol) : lab.RunInNamespace(side, () => new Socket(AddressFamily.InterNetwork, type, protocol));

    /// <summary>A listening TCP socket in <paramref name="side"/>'s namespace.</summary>
    public static Socket Listen(JunctionLab? lab, LabSide side, Ipv4Address address, ushort port)
    {
        Socket socket = Create(lab, side, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address.ToIPAddress(), port));
            socket.Listen(1024);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        lock (_connections)
        {
            foreach (Socket connection in _connections) connection.Dispose();
        }
        _acceptor.Join();
    }

    private void Accept()
    {
        if (_listener.SocketType == SocketType.Dgram)
        {
            CountDatagrams();
            return;
        }
        while (!_stopping)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_connections) _connections.Add(connection);
            var thread = new Thread(() =>
            {
                try
                {
                    _serve(connection, this);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The peer reset the connection or the server is stopping.
                }
            }) { IsBackground = true, Name = _acceptor.Name + " connection" };
            thread.Start();
        }
    }

    private static void EchoLoop(Socket connection)
    {
        connection.NoDelay = true;
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = connection.Receive(buffer)) > 0)
        {
            for (int sent = 0; sent < n;) sent += connection.Send(buffer, sent, n - sent, SocketFlags.None);
        }
    }

    private void DiscardLoop(Socket connection)
    {
        byte[] buffer = new byte[256 * 1024];
        int n;
        while ((n = connection.Receive(buffer)) > 0) Interlocked.Add(ref _received, n);
    }

    private void CountDatagrams()
    {
        byte[] buffer = new byte[2048];
        _listener.ReceiveTimeout = 100;
        while (!_stopping)
        {
            try
            {
                _listener.Receive(buffer);
                Interlocked.Increment(ref _received);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                // Nothing within 100 ms: look at the stop flag again.
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}

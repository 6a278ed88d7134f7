using System.Net;
using System.Net.Sockets;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// A System.Net.Sockets server in the lab's client namespace (the Linux kernel's TCP): accepts connections and runs
/// <c>serve</c> on each. Disposing stops accepting; <see cref="Completion"/> reports every connection's outcome.
/// </summary>
internal sealed class LinuxTcpServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _serve;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    public LinuxTcpServer(JunctionInstance junction, ushort port, Func<Socket, CancellationToken, Task> serve)
    {
        _serve = serve;
        _listener = junction.OnLinux(() =>
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(junction.LinuxAddress.ToIPAddress(), port));
            listener.Listen(128);
            return listener;
        });
        _accepting = AcceptAsync();
    }

    /// <summary>Completes when every accepted connection was served; faults with the first failure.</summary>
    public Task Completion
    {
        get
        {
            lock (_connections) return Task.WhenAll(_connections);
        }
    }

    public int Accepted
    {
        get
        {
            lock (_connections) return _connections.Count;
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                Socket connection = await _listener.AcceptAsync(_stop.Token);
                lock (_connections) _connections.Add(ServeAsync(connection));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using (connection) await _serve(connection, _stop.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _accepting.Wait();
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}

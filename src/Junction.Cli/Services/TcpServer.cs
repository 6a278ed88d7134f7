using System.Net.Sockets;
using Junction.Cli.Hosting;
using Junction.Runtime;
using Junction.Sockets;

namespace Junction.Cli.Services;

/// <summary>
/// A TCP port of a Junction instance served by one async loop per connection: the accept loop and every
/// connection's loop are uthreads of the instance, so they run on the kthread that received the packet and cost
/// nothing while the instance is parked. Disposing stops accepting, resets the open connections and waits for
/// their loops.
/// </summary>
internal sealed class TcpServer : IAsyncDisposable
{
    private readonly JunctionListener _listener;
    private readonly Func<JunctionConnection, Task> _serve;
    private readonly HashSet<JunctionConnection> _open = [];
    private readonly List<Task> _loops = [];
    private readonly Task _accepting;
    private Exception? _failure;
    private int _accepted;

    private TcpServer(RuntimeInstance instance, ushort port, JunctionConnectionOptions options, Func<JunctionConnection, Task> serve)
    {
        _serve = serve;
        _listener = JunctionListener.Listen(instance, port, backlog: 1024, options);
        _accepting = JunctionHost.Run(instance, AcceptAsync);
    }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The first failure of a connection loop other than the peer resetting or the server stopping, or null.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Listens on <paramref name="port"/> of <paramref name="instance"/> and runs <paramref name="serve"/> for every connection, as a uthread.</summary>
    public static TcpServer Start(RuntimeInstance instance, ushort port, JunctionConnectionOptions options, Func<JunctionConnection, Task> serve) =>
        new(instance, port, options, serve);

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        Task[] loops;
        lock (_open)
        {
            foreach (JunctionConnection connection in _open) connection.Abort();
            loops = [.. _loops];
        }
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            JunctionConnection connection;
            try
            {
                // Captured context: the loop stays a uthread of the instance (the accept completes a Task, not a pipe).
                connection = await _listener.AcceptAsync().ConfigureAwait(true);
            }
            catch (SocketException)
            {
                return; // the listener was disposed
            }
            Interlocked.Increment(ref _accepted);
            lock (_open) _open.Add(connection);
            // Runs inline up to its first wait (on this kthread), outside the lock.
            Task loop = ServeAsync(connection);
            lock (_open)
            {
                _loops.RemoveAll(static done => done.IsCompleted);
                _loops.Add(loop);
            }
        }
    }

    private async Task ServeAsync(JunctionConnection connection)
    {
        try
        {
            using (connection) await _serve(connection).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // The peer reset the connection, or the server is stopping and aborted it.
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
        }
        finally
        {
            lock (_open) _open.Remove(connection);
        }
    }
}

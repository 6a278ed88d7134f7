using System.IO.Pipelines;
using Junction.Runtime;
using Junction.Sockets;

namespace Junction.Cli.Services;

/// <summary>
/// A Junction TCP discard server (RFC 863) on the Sockets API: every connection's loop reads and drops everything,
/// counting the bytes, as a uthread of the instance (the frames go back to the device as the reader advances).
/// </summary>
internal sealed class DiscardService : IAsyncDisposable
{
    private readonly TcpServer _server;
    private long _received;

    public DiscardService(RuntimeInstance instance, ushort port)
    {
        _server = TcpServer.Start(instance, port, new JunctionConnectionOptions(), DiscardAsync);
    }

    /// <summary>Bytes received so far, on all connections; readable from any thread.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => _server.Accepted;

    /// <summary>The first unexpected failure of a connection, or null.</summary>
    public Exception? Failure => _server.Failure;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task DiscardAsync(JunctionConnection connection)
    {
        PipeReader input = connection.Input;
        while (true)
        {
            ReadResult read = await input.ReadAsync().ConfigureAwait(false);
            Interlocked.Add(ref _received, read.Buffer.Length);
            input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled) break;
        }
        await input.CompleteAsync().ConfigureAwait(false);
        await connection.Output.CompleteAsync().ConfigureAwait(false);
    }
}

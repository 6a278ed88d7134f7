using System.Buffers;
using System.IO.Pipelines;
using Junction.Runtime;
using Junction.Sockets;

namespace Junction.Cli.Services;

/// <summary>
/// A Junction TCP echo server (RFC 862) on the Sockets API: every connection's loop copies what it reads, straight
/// from the received frames, into the send ring and flushes (NoDelay), as a uthread of the instance.
/// </summary>
internal sealed class EchoService : IAsyncDisposable
{
    private readonly TcpServer _server;
    private long _echoed;

    public EchoService(RuntimeInstance instance, ushort port)
    {
        _server = TcpServer.Start(instance, port, new JunctionConnectionOptions { NoDelay = true }, EchoAsync);
    }

    /// <summary>Bytes echoed so far, on all connections.</summary>
    public long Echoed => Interlocked.Read(ref _echoed);

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => _server.Accepted;

    /// <summary>The first unexpected failure of a connection, or null.</summary>
    public Exception? Failure => _server.Failure;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task EchoAsync(JunctionConnection connection)
    {
        PipeReader input = connection.Input;
        PipeWriter output = connection.Output;
        while (true)
        {
            ReadResult read = await input.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            foreach (ReadOnlyMemory<byte> segment in buffer) output.Write(segment.Span);
            input.AdvanceTo(buffer.End);
            if (!buffer.IsEmpty)
            {
                Interlocked.Add(ref _echoed, buffer.Length);
                FlushResult flushed = await output.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted) break;
            }
            if (read.IsCompleted || read.IsCanceled) break;
        }
        // The peer's FIN (or a finished send side): answer with ours.
        await output.CompleteAsync().ConfigureAwait(false);
        await input.CompleteAsync().ConfigureAwait(false);
    }
}

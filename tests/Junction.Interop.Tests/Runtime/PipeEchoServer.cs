using System.Buffers;
using System.IO.Pipelines;
using Junction.Sockets;

namespace Junction.Interop.Tests.Runtime;

/// <summary>
/// Accepts connections from a <see cref="JunctionListener"/> and echoes each through its pipes until the peer's FIN,
/// then closes it. Runs as uthreads of the listener's instance when started there.
/// </summary>
internal sealed class PipeEchoServer
{
    private readonly JunctionListener _listener;
    private int _accepted;
    private int _finished;
    private long _bytesEchoed;

    public PipeEchoServer(JunctionListener listener) => _listener = listener;

    public int Accepted => Volatile.Read(ref _accepted);

    public int Finished => Volatile.Read(ref _finished);

    public long BytesEchoed => Interlocked.Read(ref _bytesEchoed);

    /// <summary>The first failure of a connection, if any.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Accepts until the listener is disposed.</summary>
    public async Task RunAsync()
    {
        while (true)
        {
            JunctionConnection connection;
            try
            {
                connection = await _listener.AcceptAsync();
            }
            catch (System.Net.Sockets.SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            _ = EchoAsync(connection);
        }
    }

    private async Task EchoAsync(JunctionConnection connection)
    {
        try
        {
            await using (connection)
            {
                PipeReader input = connection.Input;
                PipeWriter output = connection.Output;
                while (true)
                {
                    ReadResult result = await input.ReadAsync();
                    ReadOnlySequence<byte> buffer = result.Buffer;
                    foreach (ReadOnlyMemory<byte> segment in buffer) output.Write(segment.Span);
                    Interlocked.Add(ref _bytesEchoed, buffer.Length);
                    input.AdvanceTo(buffer.End);
                    if (buffer.Length > 0) await output.FlushAsync();
                    if (result.IsCompleted) break;
                }
                await output.CompleteAsync();
                await input.CompleteAsync();
            }
            Interlocked.Increment(ref _finished);
        }
        catch (Exception exception)
        {
            Failure ??= exception;
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Junction.Sockets;

namespace Junction.Compat;

/// <summary>
/// Moves the bytes of one established emulated connection between the host's end of the program's socket pair and
/// the <see cref="JunctionConnection"/>, both ways, with back-pressure (a direction stops reading its source while its
/// destination is full: the send ring's flush waits, the pair's send waits). Received frames are sent straight from the
/// receive sequence (or gathered into one buffer per connection), and the program's bytes are read straight into the
/// send ring.
/// </summary>
internal static class ByteBridge
{
    private const int GatherSize = 64 * 1024;

    public static async Task RunAsync(SeccompSupervisor owner, CompatSocket socket, JunctionConnection connection)
    {
        Task toPeer = ToPeerAsync(socket, connection);
        Task toProgram = ToProgramAsync(socket, connection);
        await toPeer.ConfigureAwait(false);
        await toProgram.ConfigureAwait(false);
        lock (owner.Gate)
        {
            owner.Forget(socket);
            socket.Close();
        }
    }

    /// <summary>The program's writes to the peer; EOF (the program shut down or closed its end everywhere) sends a FIN.</summary>
    private static async Task ToPeerAsync(CompatSocket socket, JunctionConnection connection)
    {
        PipeWriter output = connection.Output;
        try
        {
            while (true)
            {
                Memory<byte> memory = output.GetMemory(1);
                int received = await socket.Host.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0) break;
                output.Advance(received);
                FlushResult flushed = await output.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled) return;
            }
            if (socket.LingerReset) connection.Abort();
            else await output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The program's end was reset, or the host is tearing down: the peer gets a RST.
            connection.Abort();
        }
    }

    /// <summary>
    /// The peer's bytes to the program; the peer's FIN becomes EOF on the program's end, a reset ends both directions.
    /// Received data sits in one segment per frame: a single segment is sent as it is, several are gathered into one
    /// buffer (rented once per connection) so that a burst costs one send instead of one per frame.
    /// </summary>
    private static async Task ToProgramAsync(CompatSocket socket, JunctionConnection connection)
    {
        PipeReader input = connection.Input;
        byte[] gather = ArrayPool<byte>.Shared.Rent(GatherSize);
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    Shutdown(socket.Host, SocketShutdown.Both);
                    return;
                }
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    ReadOnlySequence<byte> rest = buffer;
                    while (!rest.IsEmpty)
                    {
                        ReadOnlyMemory<byte> chunk;
                        if (rest.IsSingleSegment)
                        {
                            chunk = rest.First;
                        }
                        else
                        {
                            int length = (int)Math.Min(rest.Length, gather.Length);
                            rest.Slice(0, length).CopyTo(gather);
                            chunk = gather.AsMemory(0, length);
                        }
                        rest = rest.Slice(chunk.Length);
                        while (!chunk.IsEmpty)
                        {
                            int sent = await socket.Host.SendAsync(chunk, SocketFlags.None).ConfigureAwait(false);
                            chunk = chunk[sent..];
                        }
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The program closed its end with bytes still coming: as a kernel would, reset the connection.
                    input.AdvanceTo(buffer.End);
                    connection.Abort();
                    return;
                }
                input.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    Shutdown(socket.Host, SocketShutdown.Send);
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(gather);
        }
    }

    private static void Shutdown(Socket host, SocketShutdown how)
    {
        try
        {
            host.Shutdown(how);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }
}

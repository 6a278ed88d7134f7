using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using Junction.Runtime;
using Junction.Sockets;

namespace Junction.Cli.Load;

/// <summary>
/// The Junction↔Junction side of tcp-rr: a Junction TCP client doing 64-byte round trips, one outstanding, over a
/// <see cref="JunctionConnection"/>'s pipes, as a uthread of its instance — the next request leaves from the kthread
/// that received the previous answer. Round trips sent after the warm-up and completed within the window are timed.
/// </summary>
internal static class JunctionPinger
{
    /// <summary>Connects from <paramref name="instance"/> to <paramref name="server"/> and pings for <paramref name="warmup"/> + <paramref name="duration"/>; run it as a uthread of <paramref name="instance"/>.</summary>
    public static async Task<LatencyHistogram> RunAsync(RuntimeInstance instance, IPEndPoint server, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        // Captured context: the loop stays a uthread of the instance after the connect (a Task, not a pipe).
        JunctionConnection connection = await JunctionConnection.ConnectAsync(instance, server, new JunctionConnectionOptions { NoDelay = true }, cancellationToken).ConfigureAwait(true);
        using (connection)
        {
            var histogram = new LatencyHistogram();
            PipeReader input = connection.Input;
            PipeWriter output = connection.Output;
            byte[] request = new byte[TcpRoundTripLoad.MessageLength];
            // The window is timed from the established connection, as the Linux client's is from its connect.
            long windowStart = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
            long windowEnd = windowStart + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            while (true)
            {
                long sentAt = Stopwatch.GetTimestamp();
                if (sentAt >= windowEnd) break;
                cancellationToken.ThrowIfCancellationRequested();
                output.Write(request);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                long missing = request.Length;
                while (missing > 0)
                {
                    ReadResult read = await input.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                    ReadOnlySequence<byte> buffer = read.Buffer;
                    long taken = Math.Min(missing, buffer.Length);
                    input.AdvanceTo(buffer.GetPosition(taken));
                    missing -= taken;
                    if (missing > 0 && read.IsCompleted) throw new EndOfStreamException("The echo server closed the connection in the middle of an answer.");
                }
                long answeredAt = Stopwatch.GetTimestamp();
                if (sentAt >= windowStart && answeredAt <= windowEnd) histogram.Record(sentAt, answeredAt);
            }
            await output.CompleteAsync().ConfigureAwait(false);
            return histogram;
        }
    }
}

using System.Diagnostics;

namespace Junction.Cli.Load;

/// <summary>The tcp-rr load: each connection sends 64 bytes and waits for the 64-byte echo, one round trip outstanding.</summary>
internal static class TcpRoundTripLoad
{
    public const int MessageLength = 64;

    public static Func<LoadWindow, Task> Worker(StreamConnector connect) => async window =>
    {
        await using Stream stream = await connect(window.StopToken).ConfigureAwait(false);
        byte[] request = new byte[MessageLength];
        byte[] answer = new byte[MessageLength];
        while (!window.Stopping)
        {
            long start = Stopwatch.GetTimestamp();
            await stream.WriteAsync(request).ConfigureAwait(false);
            await stream.ReadExactlyAsync(answer).ConfigureAwait(false);
            window.Record(start);
        }
    };
}

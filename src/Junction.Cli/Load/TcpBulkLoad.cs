namespace Junction.Cli.Load;

/// <summary>The tcp-bulk load: each connection writes 256 KiB chunks as fast as the receiver takes them.</summary>
internal static class TcpBulkLoad
{
    public const int ChunkLength = 256 * 1024;

    public static Func<LoadWindow, Task> Worker(StreamConnector connect) => async window =>
    {
        await using Stream stream = await connect(window.StopToken).ConfigureAwait(false);
        byte[] chunk = new byte[ChunkLength];
        new Random(1).NextBytes(chunk);
        while (!window.Stopping)
        {
            await stream.WriteAsync(chunk).ConfigureAwait(false);
            window.AddBytes(chunk.Length);
        }
    };
}

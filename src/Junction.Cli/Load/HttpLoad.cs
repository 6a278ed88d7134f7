using System.Buffers.Text;
using System.Diagnostics;
using Junction.Cli.Services;

namespace Junction.Cli.Load;

/// <summary>
/// The built-in HTTP/1.1 load generator (used when wrk is not installed, or chosen with <c>--load builtin</c>): each
/// connection sends <c>GET /plaintext</c> <c>depth</c> times in one write (1: no pipelining, as wrk does by default),
/// reads that many responses to the end of their Content-Length bodies, and starts over, keep-alive. Each response's
/// latency runs from the write of its batch to its last byte. Responses that are not 200 count as errors.
/// </summary>
internal static class HttpLoad
{
    public static Func<LoadWindow, Task> Worker(StreamConnector connect, string host, int depth) => async window =>
    {
        await using Stream stream = await connect(window.StopToken).ConfigureAwait(false);
        byte[] one = HttpPlaintext.Request(host);
        byte[] batch = new byte[one.Length * depth];
        for (int i = 0; i < depth; i++) one.CopyTo(batch, i * one.Length);
        byte[] buffer = new byte[16 * 1024];
        int filled = 0;
        while (!window.Stopping)
        {
            long start = Stopwatch.GetTimestamp();
            await stream.WriteAsync(batch).ConfigureAwait(false);
            for (int response = 0; response < depth; response++)
            {
                int headerEnd;
                while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                    filled += await ReadSomeAsync(stream, buffer, filled).ConfigureAwait(false);
                headerEnd += 4;
                int total = headerEnd + ContentLength(buffer.AsSpan(0, headerEnd));
                if (total > buffer.Length) throw new InvalidDataException($"A {total}-byte response does not fit the load generator's buffer.");
                while (filled < total) filled += await ReadSomeAsync(stream, buffer, filled).ConfigureAwait(false);
                if (!buffer.AsSpan().StartsWith("HTTP/1.1 200"u8)) window.Error();
                else window.Record(start);
                buffer.AsSpan(total, filled - total).CopyTo(buffer);
                filled -= total;
            }
        }
    };

    /// <summary>The Content-Length header's value in <paramref name="headers"/> (0 when there is none).</summary>
    internal static int ContentLength(ReadOnlySpan<byte> headers)
    {
        ReadOnlySpan<byte> name = "\r\ncontent-length:"u8;
        for (int i = 0; i + name.Length <= headers.Length; i++)
        {
            if (!EqualsIgnoreCase(headers.Slice(i, name.Length), name)) continue;
            ReadOnlySpan<byte> value = headers[(i + name.Length)..];
            value = value[..value.IndexOf((byte)'\r')].Trim((byte)' ');
            return Utf8Parser.TryParse(value, out int length, out _) ? length : throw new InvalidDataException("A Content-Length header is not a number.");
        }
        return 0;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerCase)
    {
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            if (b is >= (byte)'A' and <= (byte)'Z') b = (byte)(b | 0x20);
            if (b != lowerCase[i]) return false;
        }
        return true;
    }

    private static async ValueTask<int> ReadSomeAsync(Stream stream, byte[] buffer, int offset)
    {
        if (offset == buffer.Length) throw new InvalidDataException("A response header is larger than the load generator's buffer.");
        int n = await stream.ReadAsync(buffer.AsMemory(offset)).ConfigureAwait(false);
        return n > 0 ? n : throw new EndOfStreamException("The server closed the connection.");
    }
}

using System.Net;
using System.Security.Cryptography;
using Junction.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Junction.Tests.Kestrel;

public sealed class Http1Tests
{
    private static void Map(WebApplication app)
    {
        app.MapGet("/hello", (HttpContext context) =>
            $"{context.Connection.Id}|{context.Connection.RemoteIpAddress}|{context.Connection.LocalIpAddress}|{context.Features.Get<JunctionConnection>() is not null}");
        app.MapGet("/ping/{n:int}", (int n) => $"pong-{n}");
        app.MapGet("/bytes/{length:int}", async (HttpContext context, int length) =>
        {
            byte[] body = KestrelLab.Pattern(length, length);
            context.Response.ContentLength = length;
            for (int offset = 0; offset < length; offset += 64 * 1024)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(64 * 1024, length - offset)));
            }
        });
        app.MapPost("/hash", async (HttpContext context) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[32 * 1024];
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }
            return $"{total}:{Convert.ToHexString(hash.GetHashAndReset())}|{context.Request.Headers.TransferEncoding}";
        });
        app.MapGet("/chunked", async (HttpContext context) =>
        {
            for (int i = 0; i < 5; i++)
            {
                await context.Response.WriteAsync($"piece-{i};");
                await context.Response.Body.FlushAsync();
            }
        });
    }

    [Fact]
    public async Task Keep_alive_serves_every_request_on_one_junction_connection()
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map);

        var answers = new List<string[]>();
        for (int i = 0; i < 4; i++) answers.Add((await lab.Http.GetStringAsync(new Uri("hello", UriKind.Relative))).Split('|'));

        Assert.All(answers, a => Assert.Equal(answers[0][0], a[0])); // one connection id: kept alive
        Assert.All(answers, a => Assert.Equal("10.9.0.2", a[1]));
        Assert.All(answers, a => Assert.Equal("10.9.0.1", a[2]));
        Assert.All(answers, a => Assert.Equal("True", a[3])); // served by the Junction transport
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1460)]
    [InlineData(65536)]
    [InlineData(1024 * 1024 + 7)]
    [InlineData(64 * 1024 * 1024)]
    public async Task Response_bodies_arrive_whole_with_matching_hash(int length)
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map);

        using HttpResponseMessage response = await lab.Http.GetAsync(new Uri($"bytes/{length}", UriKind.Relative));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(length, body.Length);
        Assert.Equal(SHA256.HashData(KestrelLab.Pattern(length, length)), SHA256.HashData(body));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    [InlineData(64 * 1024 * 1024)]
    public async Task Request_bodies_arrive_whole_with_matching_hash(int length)
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map, kestrel => kestrel.Limits.MaxRequestBodySize = null);
        byte[] upload = KestrelLab.Pattern(length, length + 1);

        using HttpResponseMessage response = await lab.Http.PostAsync(new Uri("hash", UriKind.Relative), new ByteArrayContent(upload));
        string answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{length}:{Convert.ToHexString(SHA256.HashData(upload))}|", answer);
    }

    [Fact]
    public async Task Chunked_request_and_response_bodies_are_decoded()
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map);
        byte[] upload = KestrelLab.Pattern(300_000, 5);

        // A stream of unknown length: HttpClient sends it chunked.
        using var content = new StreamContent(new NonSeekableStream(upload));
        using HttpResponseMessage posted = await lab.Http.PostAsync(new Uri("hash", UriKind.Relative), content);
        using HttpResponseMessage chunked = await lab.Http.GetAsync(new Uri("chunked", UriKind.Relative));

        Assert.Equal($"{upload.Length}:{Convert.ToHexString(SHA256.HashData(upload))}|chunked", await posted.Content.ReadAsStringAsync());
        Assert.True(chunked.Headers.TransferEncodingChunked);
        Assert.Equal("piece-0;piece-1;piece-2;piece-3;piece-4;", await chunked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order_on_one_connection()
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map);
        await using JunctionConnection connection = await lab.ConnectAsync();

        await KestrelLab.SendAsync(connection,
            "GET /ping/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /ping/2 HTTP/1.1\r\nHost: a\r\n\r\nGET /ping/3 HTTP/1.1\r\nHost: a\r\n\r\n");
        (string text, bool ended) = await KestrelLab.ReceiveAsync(connection, t => t.Contains("pong-3", StringComparison.Ordinal));

        Assert.False(ended);
        Assert.Equal(3, KestrelLab.Count(text, "HTTP/1.1 200 OK"));
        int first = text.IndexOf("pong-1", StringComparison.Ordinal);
        int second = text.IndexOf("pong-2", StringComparison.Ordinal);
        int third = text.IndexOf("pong-3", StringComparison.Ordinal);
        Assert.True(first >= 0 && first < second && second < third, text);
    }

    /// <summary>A read-only stream without a length, so that HttpClient sends its content chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 7000), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

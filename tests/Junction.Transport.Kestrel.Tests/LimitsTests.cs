using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Junction.Tests.Kestrel;

/// <summary>Kestrel's limits on a host that serves the same app on Junction and on Sockets (loopback): both must behave alike.</summary>
public sealed class LimitsTests
{
    private static void Map(WebApplication app)
    {
        app.MapGet("/ping/{n:int}", (int n) => $"pong-{n}");
        app.MapPost("/size", async (HttpContext context) =>
        {
            using var sink = new MemoryStream();
            await context.Request.Body.CopyToAsync(sink);
            return $"size-{sink.Length}";
        });
    }

    /// <summary>Whether a whole response arrived: the endpoints answer chunked, so up to the last chunk.</summary>
    private static bool HasResponse(string text) => text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);

    [Theory]
    [InlineData("junction")]
    [InlineData("sockets")]
    public async Task MaxConcurrentConnections_closes_a_connection_beyond_the_limit_and_admits_one_after_a_close(string transport)
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map, kestrel => kestrel.Limits.MaxConcurrentConnections = 1, loopback: true);

        Stream first = await lab.OpenStreamAsync(transport);
        await first.WriteAsync(Encoding.ASCII.GetBytes("GET /ping/1 HTTP/1.1\r\nHost: a\r\n\r\n"));
        (string firstAnswer, _) = await KestrelLab.ReadAsync(first, HasResponse);
        await using Stream second = await lab.OpenStreamAsync(transport);
        (string secondAnswer, bool secondClosed) = await KestrelLab.ReadAsync(second, _ => false);
        await first.DisposeAsync();
        string thirdAnswer = await EventuallyServedAsync(lab, transport);

        Assert.Contains("pong-1", firstAnswer, StringComparison.Ordinal);
        Assert.True(secondClosed);
        Assert.Equal("", secondAnswer);
        Assert.Contains("pong-3", thirdAnswer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("junction")]
    [InlineData("sockets")]
    public async Task MaxRequestBodySize_answers_413_to_a_larger_body(string transport)
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map, kestrel => kestrel.Limits.MaxRequestBodySize = 1000, loopback: true);
        await using Stream stream = await lab.OpenStreamAsync(transport);

        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /size HTTP/1.1\r\nHost: a\r\nContent-Length: 999\r\n\r\n" + new string('x', 999)));
        (string small, _) = await KestrelLab.ReadAsync(stream, HasResponse);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /size HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n" + new string('x', 2000)));
        (string large, _) = await KestrelLab.ReadAsync(stream, t => t.Contains("\r\n\r\n", StringComparison.Ordinal));

        Assert.StartsWith("HTTP/1.1 200 OK", small, StringComparison.Ordinal);
        Assert.Contains("size-999", small, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 413 Payload Too Large", large, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("junction")]
    [InlineData("sockets")]
    public async Task KeepAliveTimeout_closes_an_idle_connection_after_its_response(string transport)
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map, kestrel => kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(1), loopback: true);
        await using Stream stream = await lab.OpenStreamAsync(transport);

        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /ping/7 HTTP/1.1\r\nHost: a\r\n\r\n"));
        (string answer, _) = await KestrelLab.ReadAsync(stream, HasResponse);
        (string afterwards, bool closed) = await KestrelLab.ReadAsync(stream, _ => false);

        Assert.Contains("pong-7", answer, StringComparison.Ordinal);
        Assert.True(closed);
        Assert.Equal("", afterwards);
    }

    [Theory]
    [InlineData("junction")]
    [InlineData("sockets")]
    public async Task RequestHeadersTimeout_answers_408_to_headers_that_never_end(string transport)
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map, kestrel => kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1), loopback: true);
        await using Stream stream = await lab.OpenStreamAsync(transport);

        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /ping/1 HTTP/1.1\r\nHost: a\r\n"));
        (string answer, bool closed) = await KestrelLab.ReadAsync(stream, _ => false);

        Assert.StartsWith("HTTP/1.1 408 Request Timeout", answer, StringComparison.Ordinal);
        Assert.True(closed);
    }

    [Theory]
    [InlineData("junction")]
    [InlineData("sockets")]
    public async Task A_client_that_closes_mid_request_aborts_the_request(string transport)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using KestrelLab lab = await KestrelLab.StartAsync(app => app.MapGet("/wait", async (HttpContext context) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        }), loopback: true);
        Stream stream = await lab.OpenStreamAsync(transport);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n"));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await stream.DisposeAsync(); // the client's FIN while the handler still runs

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Kestrel frees the slot of a closed connection once it noticed the close: retry until a connection is served.</summary>
    private static async Task<string> EventuallyServedAsync(KestrelLab lab, string transport)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            await using Stream stream = await lab.OpenStreamAsync(transport);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /ping/3 HTTP/1.1\r\nHost: a\r\n\r\n"));
            (string answer, _) = await KestrelLab.ReadAsync(stream, HasResponse);
            if (answer.Length > 0) return answer;
            await Task.Delay(50);
        }
        return "";
    }
}

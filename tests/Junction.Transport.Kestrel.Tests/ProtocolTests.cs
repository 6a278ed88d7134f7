using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Junction.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Junction.Tests.Kestrel;

public sealed class ProtocolTests
{
    private static void Map(WebApplication app)
    {
        app.UseWebSockets();
        app.MapGet("/hello", (HttpContext context) =>
            $"{context.Request.Protocol}|{context.Connection.Id}|{context.Request.IsHttps}|{context.Features.Get<JunctionConnection>() is not null}");
        app.MapGet("/bytes/{length:int}", async (HttpContext context, int length) =>
        {
            context.Response.ContentLength = length;
            await context.Response.Body.WriteAsync(KestrelLab.Pattern(length, length));
        });
        app.Map("/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }
            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            byte[] buffer = new byte[256 * 1024];
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += received.Count;
                }
                while (!received.EndOfMessage);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, length), received.MessageType, endOfMessage: true, CancellationToken.None);
            }
        });
    }

    [Fact]
    public async Task Http2_with_prior_knowledge_multiplexes_requests_on_one_connection()
    {
        // Cleartext HTTP/2 (h2c) needs an Http2-only endpoint: without TLS there is no ALPN, and Kestrel serves an
        // Http1AndHttp2 cleartext endpoint as HTTP/1.1 (on every transport).
        await using KestrelLab lab = await KestrelLab.StartAsync(Map, protocols: HttpProtocols.Http2);

        Task<HttpResponseMessage>[] sends = new Task<HttpResponseMessage>[8];
        for (int i = 0; i < sends.Length; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, KestrelLab.ServerUri(i % 2 == 0 ? "/hello" : $"/bytes/{100_000 * i}"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            sends[i] = lab.Http.SendAsync(request);
        }
        HttpResponseMessage[] responses = await Task.WhenAll(sends);

        var connectionIds = new HashSet<string>();
        for (int i = 0; i < responses.Length; i++)
        {
            using HttpResponseMessage response = responses[i];
            Assert.Equal(HttpVersion.Version20, response.Version);
            if (i % 2 == 0)
            {
                string[] answer = (await response.Content.ReadAsStringAsync()).Split('|');
                Assert.Equal("HTTP/2", answer[0]);
                Assert.Equal("True", answer[3]);
                connectionIds.Add(answer[1]);
            }
            else
            {
                byte[] body = await response.Content.ReadAsByteArrayAsync();
                Assert.Equal(SHA256.HashData(KestrelLab.Pattern(100_000 * i, 100_000 * i)), SHA256.HashData(body));
            }
        }
        Assert.Single(connectionIds);
    }

    [Fact]
    public async Task WebSocket_echoes_text_and_binary_messages()
    {
        await using KestrelLab lab = await KestrelLab.StartAsync(Map);
        using var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(lab.ClientNetwork.CreateHttpHandler());

        await socket.ConnectAsync(new Uri($"ws://{KestrelLab.ServerAddress}:{KestrelLab.Port}/ws"), invoker, CancellationToken.None);
        byte[] text = Encoding.UTF8.GetBytes("hello over junction");
        byte[] binary = KestrelLab.Pattern(200_000, 9);
        string echoedText = Encoding.UTF8.GetString(await EchoAsync(socket, text, WebSocketMessageType.Text));
        byte[] echoedBinary = await EchoAsync(socket, binary, WebSocketMessageType.Binary);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        Assert.Equal("hello over junction", echoedText);
        Assert.Equal(binary, echoedBinary);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal("bye", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task Https_with_a_self_signed_certificate_negotiates_http2_by_alpn()
    {
        using X509Certificate2 certificate = SelfSigned();
        await using KestrelLab lab = await KestrelLab.StartAsync(Map, kestrel => kestrel.Listen(KestrelLab.ServerAddress, 8443, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(certificate);
        }));
        SocketsHttpHandler handler = lab.ClientNetwork.CreateHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString();
        using var client = new HttpClient(handler);

        using var http2 = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://{KestrelLab.ServerAddress}:8443/hello")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using HttpResponseMessage response2 = await client.SendAsync(http2);
        using var http1 = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://{KestrelLab.ServerAddress}:8443/bytes/1000000")) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using HttpResponseMessage response1 = await client.SendAsync(http1);

        string[] answer = (await response2.Content.ReadAsStringAsync()).Split('|');
        Assert.Equal(HttpVersion.Version20, response2.Version);
        Assert.Equal("HTTP/2", answer[0]);
        Assert.Equal("True", answer[2]);
        Assert.Equal("True", answer[3]);
        Assert.Equal(HttpVersion.Version11, response1.Version);
        Assert.Equal(SHA256.HashData(KestrelLab.Pattern(1_000_000, 1_000_000)), SHA256.HashData(await response1.Content.ReadAsByteArrayAsync()));
    }

    private static async Task<byte[]> EchoAsync(ClientWebSocket socket, byte[] message, WebSocketMessageType type)
    {
        await socket.SendAsync(message, type, endOfMessage: true, CancellationToken.None);
        byte[] buffer = new byte[message.Length + 16];
        int length = 0;
        ValueWebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
            length += received.Count;
        }
        while (!received.EndOfMessage);
        Assert.Equal(type, received.MessageType);
        return buffer[..length];
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=junction.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(KestrelLab.ServerAddress);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel wants a certificate whose key it can use from any store state: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}

using Grpc.Core;
using Grpc.Net.Client;
using Junction.Tests.Kestrel.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Tests.Kestrel;

/// <summary>
/// gRPC (Grpc.AspNetCore on UseJunction, Grpc.Net.Client over Junction's HttpClient handler) on the in-process
/// virtual switch: HTTP/2 frames, trailers and flow control across the user-space TCP stack.
/// </summary>
public sealed class GrpcTests
{
    private static Task<KestrelLab> StartAsync() =>
        // h2c: gRPC needs HTTP/2, and without TLS (no ALPN) only an Http2-only endpoint speaks it.
        KestrelLab.StartAsync(
            static app => app.MapGrpcService<EchoService>(),
            protocols: HttpProtocols.Http2,
            services: static services => services.AddGrpc());

    private static GrpcChannel CreateChannel(KestrelLab lab) =>
        GrpcChannel.ForAddress(KestrelLab.ServerUri("/"), new GrpcChannelOptions
        {
            HttpHandler = lab.ClientNetwork.CreateHttpHandler(),
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 4 * 1024 * 1024,
        });

    [Fact]
    public async Task Unary_call_round_trips_over_http2_on_junction()
    {
        await using KestrelLab lab = await StartAsync();
        using GrpcChannel channel = CreateChannel(lab);
        var client = new Echo.EchoClient(channel);

        EchoReply reply = await client.SayAsync(new EchoRequest { Text = "hi" }, deadline: DateTime.UtcNow.AddSeconds(30));
        EchoReply second = await client.SayAsync(new EchoRequest { Text = "again" }, deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal("echo:hi|HTTP/2", reply.Text);
        Assert.Equal("echo:again|HTTP/2", second.Text);
    }

    [Fact]
    public async Task Server_streaming_call_delivers_every_message_in_order_and_the_trailers()
    {
        await using KestrelLab lab = await StartAsync();
        using GrpcChannel channel = CreateChannel(lab);
        var client = new Echo.EchoClient(channel);
        const int count = 200;
        const int payloadBytes = 16 * 1024;

        // 200 × 16 KiB is several HTTP/2 flow-control windows, so the stream must be paced by WINDOW_UPDATEs.
        using AsyncServerStreamingCall<EchoReply> call = client.Count(new CountRequest { Count = count, PayloadBytes = payloadBytes }, deadline: DateTime.UtcNow.AddSeconds(60));
        int received = 0;
        await foreach (EchoReply reply in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(received, reply.Index);
            Assert.Equal($"item {received}", reply.Text);
            Assert.Equal(KestrelLab.Pattern(payloadBytes, received), reply.Payload.ToByteArray());
            received++;
        }

        Assert.Equal(count, received);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), call.GetTrailers().GetValue("junction-count"));
    }
}

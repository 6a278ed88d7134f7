using Google.Protobuf;
using Grpc.Core;
using Junction.Tests.Kestrel.Grpc;

namespace Junction.Tests.Kestrel;

/// <summary>The test gRPC service: echoes a unary request and streams <c>count</c> numbered replies.</summary>
internal sealed class EchoService : Echo.EchoBase
{
    public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoReply { Text = $"echo:{request.Text}|{context.GetHttpContext().Request.Protocol}" });

    public override async Task Count(CountRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        for (int i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new EchoReply
            {
                Text = $"item {i}",
                Index = i,
                Payload = ByteString.CopyFrom(KestrelLab.Pattern(request.PayloadBytes, i)),
            });
        }
        context.ResponseTrailers.Add("junction-count", request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

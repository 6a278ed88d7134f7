using System.IO.Pipelines;
using System.Net;
using Junction.Devices;
using Junction.Sockets;

namespace Junction.Tests.Sockets;

public sealed class ZeroCopyTests
{
    [Fact]
    public unsafe void Reader_memory_lies_in_the_receiving_device_pool_and_every_frame_goes_back_after_close()
    {
        using var lab = new SocketLab();
        FramePool serverPool = lab.Server.Stack.Device.Pool;
        using JunctionListener listener = JunctionListener.Listen(lab.Server, 8081);
        Task<JunctionConnection> accepted = listener.AcceptAsync().AsTask();
        JunctionConnection client = SocketLab.Await(JunctionConnection.ConnectAsync(lab.Client, new IPEndPoint(lab.ServerAddress, 8081)));
        JunctionConnection server = SocketLab.Await(accepted);

        byte[] message = new byte[20_000];
        new Random(3).NextBytes(message);
        SocketLab.Await(client.Output.WriteAsync(message).AsTask());
        int seen = 0;
        int pieces = 0;
        while (seen < message.Length)
        {
            ReadResult read = SocketLab.Await(server.Input.ReadAsync().AsTask());
            foreach (ReadOnlyMemory<byte> piece in read.Buffer)
            {
                using System.Buffers.MemoryHandle pin = piece.Pin();
                Assert.True(serverPool.Contains((nint)pin.Pointer), "A received piece lies outside the device's frames.");
                Assert.True(serverPool.Contains((nint)pin.Pointer + piece.Length - 1));
                Assert.True(piece.Span.SequenceEqual(message.AsSpan(seen, piece.Length)));
                seen += piece.Length;
                pieces++;
            }
            server.Input.AdvanceTo(read.Buffer.End);
        }
        Assert.True(pieces > 1);

        client.Dispose();
        server.Dispose();
        Assert.True(Runtime.RuntimeLab.Eventually(() => serverPool.FreeCount == serverPool.FrameCount), "Frames were not given back to the device.");
    }
}

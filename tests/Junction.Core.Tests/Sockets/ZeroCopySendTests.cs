using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Runtime;
using Junction.Sockets;
using Junction.Stack;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.Sockets;

/// <summary>
/// Sending without a copy: the writer hands out room in the client device's frames, and the device transmits the very
/// frame the application wrote into. Two instances on a real-time virtual switch; the client's port records which
/// frames it transmitted.
/// </summary>
public sealed class ZeroCopySendTests : IDisposable
{
    private static readonly VirtualPortOptions Port = new() { FrameCount = 4096, QueueCapacity = 2048 };

    private readonly VirtualSwitch _switch = VirtualSwitch.CreateRealTime();
    private readonly JunctionRuntime _runtime = new(new JunctionRuntimeOptions { MaxKthreads = 2 });
    private readonly RecordingPort _clientPort;
    private readonly RuntimeInstance _server;
    private readonly RuntimeInstance _client;

    public ZeroCopySendTests()
    {
        _server = _runtime.CreateInstance(_switch.CreatePort(MacAddress.LocallyAdministered(0x901), Port), Options(1));
        _clientPort = new RecordingPort(_switch.CreatePort(MacAddress.LocallyAdministered(0x902), Port));
        _client = _runtime.CreateInstance(_clientPort, Options(2));
    }

    private FramePool ClientPool => _clientPort.Pool;

    private FramePool ServerPool => _server.Stack.Device.Pool;

    public void Dispose()
    {
        _runtime.Dispose();
        _switch.Dispose();
    }

    [Fact]
    public unsafe void Writer_memory_lies_in_the_device_pool_and_the_device_transmits_that_very_frame()
    {
        (JunctionConnection client, JunctionConnection server) = Connect(8090);

        Memory<byte> memory = client.Output.GetMemory(100);
        Assert.True(client.Writer.LastMemoryFromFrame);
        using MemoryHandle pin = memory.Pin();
        nint address = (nint)pin.Pointer;
        Assert.True(ClientPool.Contains(address), "The writer's memory lies outside the device's frames.");
        Assert.True(ClientPool.Contains(address + memory.Length - 1));
        int index = (int)((address - ClientPool.BaseAddress) / ClientPool.FrameSize);
        int offset = (int)((address - ClientPool.BaseAddress) % ClientPool.FrameSize);
        Assert.Equal(TcpSendBuffer.HeaderRoom, offset);
        Assert.True(memory.Length <= client.Tcp.Mss);

        "written in place"u8.CopyTo(memory.Span);
        client.Output.Advance(16);
        SocketLab.Await(client.Output.FlushAsync().AsTask());
        Assert.Equal("written in place"u8.ToArray(), ReadExactly(server, 16));

        // The frame the device got is the writer's frame, its window ending right after the 16 bytes written.
        Assert.Contains(_clientPort.Transmitted, sent => sent.Index == index && sent.Offset + sent.Length == offset + 16);
        Assert.True(_client.Stack.TcpStatistics.SegmentsSentInPlace >= 1);
        Close(client, server);
    }

    [Fact]
    public unsafe void Small_writes_fill_one_frame_until_its_bytes_are_sent_then_a_fresh_one_starts()
    {
        (JunctionConnection client, JunctionConnection server) = Connect(8091);

        nint first = AddressOf(client.Output.GetMemory(10));
        client.Output.Advance(10);
        nint second = AddressOf(client.Output.GetMemory(10));
        client.Output.Advance(10);
        Assert.Equal(first + 10, second);
        SocketLab.Await(client.Output.FlushAsync().AsTask());
        Assert.Equal(20, ReadExactly(server, 20).Length);

        // Those bytes were transmitted from that frame: later bytes start a fresh frame after its header room.
        nint third = AddressOf(client.Output.GetMemory(10));
        Assert.Equal(TcpSendBuffer.HeaderRoom, (int)((third - ClientPool.BaseAddress) % ClientPool.FrameSize));
        client.Output.Advance(10);
        SocketLab.Await(client.Output.FlushAsync().AsTask());
        Assert.Equal(10, ReadExactly(server, 10).Length);
        Close(client, server);
    }

    [Fact]
    public void Megabytes_written_through_the_pipe_arrive_intact_and_leave_from_their_frames()
    {
        (JunctionConnection client, JunctionConnection server) = Connect(8092);
        byte[] data = new byte[2 << 20];
        new Random(5).NextBytes(data);
        TcpStatistics stats = _client.Stack.TcpStatistics;

        Task writing = Task.Run(async () =>
        {
            for (int sent = 0; sent < data.Length; sent += 50_000)
            {
                await client.Output.WriteAsync(data.AsMemory(sent, Math.Min(50_000, data.Length - sent)));
            }
        });
        byte[] received = ReadExactly(server, data.Length);
        SocketLab.Await(writing);

        Assert.True(received.AsSpan().SequenceEqual(data), "The bytes arrived changed.");
        long inPlace = stats.SegmentsSentInPlace;
        long copied = stats.SegmentsSentCopied;
        Assert.True(inPlace >= data.Length / client.Tcp.Mss && copied < inPlace / 20, $"{inPlace} segments sent in place, {copied} copied, {stats.SegmentsRetransmitted} resent, {stats.SegmentsSent} sent");
        Close(client, server);
    }

    [Fact]
    public void A_request_larger_than_a_frame_spills_and_its_bytes_are_copied_into_frames_they_leave_from()
    {
        (JunctionConnection client, JunctionConnection server) = Connect(8095);
        byte[] data = new byte[8000];
        new Random(6).NextBytes(data);

        Memory<byte> memory = client.Output.GetMemory(data.Length);
        Assert.False(client.Writer.LastMemoryFromFrame);
        data.CopyTo(memory);
        client.Output.Advance(data.Length);
        SocketLab.Await(client.Output.FlushAsync().AsTask());

        Assert.Equal(data, ReadExactly(server, data.Length));
        Assert.True(_client.Stack.TcpStatistics.SegmentsSentInPlace >= (data.Length + client.Tcp.Mss - 1) / client.Tcp.Mss);
        Close(client, server);
    }

    [Fact]
    public void An_idle_writer_holds_no_frame()
    {
        (JunctionConnection client, JunctionConnection server) = Connect(8093);
        for (int i = 0; i < 20; i++)
        {
            client.Output.GetSpan(64)[..64].Fill((byte)i);
            client.Output.Advance(64);
            SocketLab.Await(client.Output.FlushAsync().AsTask());
            Assert.Equal(64, ReadExactly(server, 64).Length);
            server.Output.GetSpan(64)[..64].Fill((byte)i);
            server.Output.Advance(64);
            SocketLab.Await(server.Output.FlushAsync().AsTask());
            Assert.Equal(64, ReadExactly(client, 64).Length);
        }

        // Everything was acknowledged and nothing is being written: neither writer keeps a frame.
        Assert.True(Runtime.RuntimeLab.Eventually(() => client.Writer.HeldFrames == 0 && server.Writer.HeldFrames == 0),
            $"client holds {client.Writer.HeldFrames}, server {server.Writer.HeldFrames}");
        Assert.True(_client.Stack.TcpStatistics.SegmentsSentInPlace >= 20);
        Close(client, server);
    }

    [Fact]
    public void Aborting_in_the_middle_of_a_transfer_gives_every_frame_back()
    {
        (JunctionConnection client, JunctionConnection server) = Connect(8094);
        SocketLab.Await(client.Output.WriteAsync(new byte[100_000]).AsTask());
        Assert.Equal(1000, ReadExactly(server, 1000).Length);
        Memory<byte> pending = client.Output.GetMemory(100);
        Assert.True(client.Writer.LastMemoryFromFrame);

        client.Abort();
        server.Abort();
        // The frame handed out stays the application's until it is done with it.
        pending.Span.Fill(1);
        client.Output.Advance(100);
        client.Dispose();
        server.Dispose();
        Assert.True(Runtime.RuntimeLab.Eventually(() => ClientPool.FreeCount == ClientPool.FrameCount), $"client pool: {ClientPool.FreeCount} of {ClientPool.FrameCount} free");
        Assert.True(Runtime.RuntimeLab.Eventually(() => ServerPool.FreeCount == ServerPool.FrameCount), $"server pool: {ServerPool.FreeCount} of {ServerPool.FrameCount} free");
    }

    private static unsafe nint AddressOf(Memory<byte> memory)
    {
        using MemoryHandle pin = memory.Pin();
        return (nint)pin.Pointer;
    }

    private static NetStackOptions Options(int host)
    {
        var options = new NetStackOptions { Address = new Ipv4Address(10, 9, 0, (byte)host), Seed = host };
        options.Tcp.MinRto = TimeSpan.FromMilliseconds(20);
        options.Tcp.DelayedAckTimeout = TimeSpan.FromMilliseconds(5);
        return options;
    }

    private (JunctionConnection Client, JunctionConnection Server) Connect(int port)
    {
        using JunctionListener listener = JunctionListener.Listen(_server, port);
        Task<JunctionConnection> accepted = listener.AcceptAsync().AsTask();
        JunctionConnection client = SocketLab.Await(JunctionConnection.ConnectAsync(_client, new IPEndPoint(_server.Stack.Address.ToIPAddress(), port)));
        return (client, SocketLab.Await(accepted));
    }

    private static byte[] ReadExactly(JunctionConnection connection, int count)
    {
        byte[] bytes = new byte[count];
        int seen = 0;
        while (seen < count)
        {
            ReadResult read = SocketLab.Await(connection.Input.ReadAsync().AsTask());
            ReadOnlySequence<byte> buffer = read.Buffer;
            int take = (int)Math.Min(buffer.Length, count - seen);
            buffer.Slice(0, take).CopyTo(bytes.AsSpan(seen));
            seen += take;
            connection.Input.AdvanceTo(buffer.GetPosition(take));
            Assert.False(read.IsCompleted && seen < count, "The stream ended early.");
        }
        return bytes;
    }

    /// <summary>Closes both ends and checks every frame of both pools came back.</summary>
    private void Close(JunctionConnection client, JunctionConnection server)
    {
        client.Dispose();
        server.Dispose();
        Assert.True(Runtime.RuntimeLab.Eventually(() => ClientPool.FreeCount == ClientPool.FrameCount), $"client pool: {ClientPool.FreeCount} of {ClientPool.FrameCount} free");
        Assert.True(Runtime.RuntimeLab.Eventually(() => ServerPool.FreeCount == ServerPool.FrameCount), $"server pool: {ServerPool.FreeCount} of {ServerPool.FrameCount} free");
    }
}

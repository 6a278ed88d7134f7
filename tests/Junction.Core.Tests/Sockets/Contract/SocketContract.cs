using System.Net;
using System.Net.Sockets;

namespace Junction.Tests.Sockets.Contract;

/// <summary>
/// The socket contract, written once: each derived class runs every test against one implementation
/// (System.Net.Sockets on loopback, JunctionSocket on the virtual switch) with the same assertions.
/// </summary>
public abstract class SocketContract
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    protected abstract ISocketWorld CreateWorld();

    [Fact]
    public async Task Connect_and_accept_agree_on_both_endpoints()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        using (server)
        {
            Assert.True(client.Connected);
            Assert.True(server.Connected);
            Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
            Assert.Equal(client.RemoteEndPoint, server.LocalEndPoint);
            Assert.Equal(listener.LocalEndPoint, server.LocalEndPoint);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(1500)]
    [InlineData(65_536)]
    [InlineData(1 << 20)]
    [InlineData(16 << 20)]
    public async Task Bytes_sent_arrive_complete_and_in_order(int size)
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        using (server)
        {
            byte[] data = new byte[size];
            new Random(size).NextBytes(data);
            Task<byte[]> received = ReceiveToEndAsync(server);
            Assert.Equal(size, await client.SendAsync(data).AsTask().WaitAsync(Bound));
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(data, await received.WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task Array_segment_and_synchronous_forms_move_the_same_bytes()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        using (server)
        {
            Assert.Equal(3, await client.SendSegmentAsync(new ArraySegment<byte>([9, 1, 2, 3, 9], 1, 3)).WaitAsync(Bound));
            Assert.Equal(2, client.Send([4, 5]));
            byte[] buffer = new byte[5];
            int total = 0;
            while (total < 5) total += await server.ReceiveSegmentAsync(new ArraySegment<byte>(buffer, total, 5 - total)).WaitAsync(Bound);
            Assert.Equal([1, 2, 3, 4, 5], buffer);
            Assert.Equal(1, server.Send([6]));
            byte[] one = new byte[1];
            Assert.Equal(1, client.Receive(one));
            Assert.Equal(6, one[0]);
        }
    }

    [Fact]
    public async Task Shutdown_send_ends_the_peer_stream_while_the_other_direction_keeps_working()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        using (server)
        {
            await client.SendAsync("request"u8.ToArray());
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal("request"u8.ToArray(), await ReceiveToEndAsync(server).WaitAsync(Bound));
            await server.SendAsync("response"u8.ToArray());
            server.Shutdown(SocketShutdown.Send);
            Assert.Equal("response"u8.ToArray(), await ReceiveToEndAsync(client).WaitAsync(Bound));
            var error = Assert.Throws<SocketException>(() => client.Send([1]));
            Assert.Equal(SocketError.Shutdown, error.SocketErrorCode);
        }
    }

    [Fact]
    public async Task Shutdown_receive_still_hands_out_the_queued_bytes_then_reads_as_the_end()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        using (server)
        {
            await server.SendAsync("queued"u8.ToArray());
            long deadline = Environment.TickCount64 + 10_000;
            while (client.Available < 6 && Environment.TickCount64 < deadline) await Task.Delay(1);
            client.Shutdown(SocketShutdown.Receive);
            byte[] buffer = new byte[16];
            Assert.Equal(6, await client.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
            Assert.Equal("queued"u8.ToArray(), buffer[..6]);
            Assert.Equal(0, await client.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task Connecting_to_a_port_nobody_listens_on_is_refused()
    {
        using ISocketWorld world = CreateWorld();
        using IContractSocket client = world.ClientSocket(ProtocolType.Tcp);
        var error = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(new IPEndPoint(world.ServerAddress, 9)).WaitAsync(Bound));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task Closing_with_zero_linger_resets_and_the_peer_receive_fails_with_connection_reset()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        {
            server.LingerState = new LingerOption(true, 0);
            server.Dispose();
            var error = await Assert.ThrowsAsync<SocketException>(async () => await client.ReceiveAsync(new byte[16]).AsTask().WaitAsync(Bound));
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        }
    }

    [Fact]
    public async Task Closing_with_unread_data_resets_the_connection()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        {
            await client.SendAsync(new byte[100]);
            Assert.True(Runtime.RuntimeLab.Eventually(() => server.Available == 100));
            server.Dispose();
            var error = await Assert.ThrowsAsync<SocketException>(async () => await client.ReceiveAsync(new byte[16]).AsTask().WaitAsync(Bound));
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        }
    }

    [Fact]
    public async Task Synchronous_receive_with_a_timeout_fails_with_timed_out()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        using (server)
        {
            server.ReceiveTimeout = 100;
            var error = Assert.Throws<SocketException>(() => server.Receive(new byte[16]));
            Assert.Equal(SocketError.TimedOut, error.SocketErrorCode);
        }
    }

    [Fact]
    public void Binding_a_port_another_socket_listens_on_fails_with_address_in_use()
    {
        using ISocketWorld world = CreateWorld();
        using IContractSocket first = world.ServerSocket(ProtocolType.Tcp);
        first.Bind(new IPEndPoint(world.ServerAddress, 0));
        first.Listen(16);
        using IContractSocket second = world.ServerSocket(ProtocolType.Tcp);
        var error = Assert.Throws<SocketException>(() => second.Bind(first.LocalEndPoint!));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    [Fact]
    public void Binding_a_bound_udp_port_fails_with_address_in_use()
    {
        using ISocketWorld world = CreateWorld();
        using IContractSocket first = world.ServerSocket(ProtocolType.Udp);
        first.Bind(new IPEndPoint(world.ServerAddress, 0));
        using IContractSocket second = world.ServerSocket(ProtocolType.Udp);
        var error = Assert.Throws<SocketException>(() => second.Bind(first.LocalEndPoint!));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    [Fact]
    public async Task Udp_datagrams_keep_their_boundaries_and_sender()
    {
        using ISocketWorld world = CreateWorld();
        using IContractSocket server = world.ServerSocket(ProtocolType.Udp);
        server.Bind(new IPEndPoint(world.ServerAddress, 0));
        using IContractSocket client = world.ClientSocket(ProtocolType.Udp);
        int[] sizes = [1, 100, 1000];
        foreach (int size in sizes) Assert.Equal(size, client.SendTo(new byte[size], server.LocalEndPoint!));
        byte[] buffer = new byte[2000];
        foreach (int size in sizes)
        {
            SocketReceiveFromResult result = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).AsTask().WaitAsync(Bound);
            Assert.Equal(size, result.ReceivedBytes);
            Assert.Equal(client.LocalEndPoint is IPEndPoint local ? local.Port : -1, ((IPEndPoint)result.RemoteEndPoint).Port);
        }
    }

    [Fact]
    public async Task A_udp_datagram_longer_than_the_buffer_is_truncated()
    {
        using ISocketWorld world = CreateWorld();
        using IContractSocket server = world.ServerSocket(ProtocolType.Udp);
        server.Bind(new IPEndPoint(world.ServerAddress, 0));
        using IContractSocket client = world.ClientSocket(ProtocolType.Udp);
        byte[] datagram = new byte[100];
        new Random(1).NextBytes(datagram);
        client.SendTo(datagram, server.LocalEndPoint!);
        client.SendTo([42], server.LocalEndPoint!);
        byte[] small = new byte[10];
        // On Linux .NET returns the truncated part without an error (Windows would raise MessageSize).
        SocketReceiveFromResult truncated = await server.ReceiveFromAsync(small, new IPEndPoint(IPAddress.Any, 0)).AsTask().WaitAsync(Bound);
        Assert.Equal(10, truncated.ReceivedBytes);
        Assert.Equal(datagram[..10], small);
        // The rest of the truncated datagram is gone: the next receive gets the next datagram.
        SocketReceiveFromResult next = await server.ReceiveFromAsync(small, new IPEndPoint(IPAddress.Any, 0)).AsTask().WaitAsync(Bound);
        Assert.Equal(1, next.ReceivedBytes);
        Assert.Equal(42, small[0]);
    }

    [Fact]
    public async Task Disposing_during_a_pending_receive_fails_it_with_operation_aborted()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        {
            Task<int> pending = server.ReceiveAsync(new byte[16]).AsTask();
            await Task.Delay(50);
            Assert.False(pending.IsCompleted);
            server.Dispose();
            var error = await Assert.ThrowsAsync<SocketException>(() => pending.WaitAsync(Bound));
            Assert.Equal(SocketError.OperationAborted, error.SocketErrorCode);
        }
    }

    [Fact]
    public async Task Disposing_a_listener_during_a_pending_accept_fails_it_with_operation_aborted()
    {
        using ISocketWorld world = CreateWorld();
        IContractSocket listener = world.ServerSocket(ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(world.ServerAddress, 0));
        listener.Listen(16);
        Task<IContractSocket> pending = listener.AcceptAsync();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        listener.Dispose();
        var error = await Assert.ThrowsAsync<SocketException>(() => pending.WaitAsync(Bound));
        Assert.Equal(SocketError.OperationAborted, error.SocketErrorCode);
    }

    [Fact]
    public async Task A_graceful_close_reads_as_end_of_stream_after_the_data()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        {
            await server.SendAsync(new byte[] { 1, 2, 3 });
            server.Dispose();
            Assert.Equal(new byte[] { 1, 2, 3 }, await ReceiveToEndAsync(client).WaitAsync(Bound));
            Assert.Equal(0, await client.ReceiveAsync(new byte[4]).AsTask().WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task Using_a_disposed_socket_throws_object_disposed()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (server)
        {
            client.Dispose();
            Assert.Throws<ObjectDisposedException>(() => client.Send([1]));
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.ReceiveAsync(new byte[1]));
        }
    }

    [Fact]
    public async Task No_delay_is_off_by_default_and_settable()
    {
        using ISocketWorld world = CreateWorld();
        (IContractSocket listener, IContractSocket client, IContractSocket server) = await ConnectPairAsync(world);
        using (listener)
        using (client)
        using (server)
        {
            Assert.False(client.NoDelay);
            client.NoDelay = true;
            Assert.True(client.NoDelay);
        }
    }

    private static async Task<(IContractSocket Listener, IContractSocket Client, IContractSocket Server)> ConnectPairAsync(ISocketWorld world)
    {
        IContractSocket listener = world.ServerSocket(ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(world.ServerAddress, 0));
        listener.Listen(16);
        Task<IContractSocket> accepted = listener.AcceptAsync();
        IContractSocket client = world.ClientSocket(ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Bound);
        IContractSocket server = await accepted.WaitAsync(Bound);
        return (listener, client, server);
    }

    private static async Task<byte[]> ReceiveToEndAsync(IContractSocket socket)
    {
        var output = new MemoryStream();
        byte[] buffer = new byte[65536];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer);
            if (n == 0) return output.ToArray();
            output.Write(buffer, 0, n);
        }
    }
}

/// <summary>The contract against System.Net.Sockets on loopback: the reference behaviour.</summary>
public sealed class SystemSocketContractTests : SocketContract
{
    protected override ISocketWorld CreateWorld() => new SystemSocketWorld();
}

/// <summary>The contract against JunctionSocket on a real-time virtual switch.</summary>
public sealed class JunctionSocketContractTests : SocketContract
{
    protected override ISocketWorld CreateWorld() => new JunctionSocketWorld();
}

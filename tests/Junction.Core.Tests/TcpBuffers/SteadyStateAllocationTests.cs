using Junction.Devices;
using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.TcpBuffers;

/// <summary>The per-packet operations must not allocate once buffers have grown to their working size.</summary>
public class SteadyStateAllocationTests
{
    [Fact]
    public void Receive_path_does_not_allocate_in_steady_state()
    {
        using var pool = new FramePool(64);
        using var buffer = new TcpReceiveBuffer(65536);
        var sink = new byte[4096];
        var blocks = new SackBlock[4];
        long rcvNxt = 0;

        void Round()
        {
            // A gap, two segments beyond it, the gap filled, SACK blocks asked for, everything read and peeked.
            Deliver(1400, 1400);
            Deliver(2800, 1400);
            buffer.GetSackBlocks(new TcpSeq((uint)rcvNxt), blocks);
            rcvNxt += Deliver(0, 1400);
            _ = buffer.PeekSequence().Length;
            while (buffer.Read(sink) > 0)
            {
            }
        }

        int Deliver(int offset, int length)
        {
            pool.TryRent(out Frame frame);
            Frame payload = frame.WithWindow(54, length);
            int advanced = buffer.Insert(offset, payload);
            frame.Release();
            return advanced;
        }

        for (int i = 0; i < 10; i++) Round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Round();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(4200 * 110, rcvNxt);
    }

    [Fact]
    public void Send_buffer_and_scoreboard_do_not_allocate_in_steady_state()
    {
        using var pool = new FramePool(64);
        using var buffer = new TcpSendBuffer(pool, 65536);
        var board = new SackScoreboard();
        var data = new byte[3000];
        var segment = new byte[4000];
        var blocks = new SackBlock[3];
        var una = new TcpSeq(uint.MaxValue - 5000);

        void Round()
        {
            buffer.Write(data);
            buffer.Write(data);
            buffer.CopyTo(1000, segment);
            _ = buffer.SegmentLimit(1000, 1460);
            _ = buffer.TryGetFrameInPlace(0, 1460, 94, out _);
            TcpSeq nxt = una + buffer.Count;
            blocks[0] = new SackBlock(una + 1000, una + 2000);
            blocks[1] = new SackBlock(una + 3000, una + 4000);
            blocks[2] = new SackBlock(una + 4500, una + 5000);
            board.Update(una, nxt, blocks);
            board.TryGetNextLostRange(una, una, 1000, 1460, out _, out _);
            _ = board.Pipe(una, nxt, una + 1000, 1000);
            _ = board.IsLost(una, 1000);
            buffer.Consume(buffer.Count);
            una = nxt;
            board.AdvanceTo(una);
        }

        for (int i = 0; i < 10; i++) Round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Round();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(board.IsEmpty);
        Assert.Equal(pool.FrameCount, pool.FreeCount);
    }
}

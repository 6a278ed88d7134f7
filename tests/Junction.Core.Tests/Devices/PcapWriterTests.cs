using System.Buffers.Binary;
using Junction.Devices;

namespace Junction.Tests.Devices;

public sealed class PcapWriterTests
{
    /// <summary>One record of a classic pcap file.</summary>
    internal readonly record struct PcapRecord(uint Seconds, uint Fraction, uint OriginalLength, byte[] Data);

    /// <summary>Parses a little-endian classic pcap file, checking its global header.</summary>
    internal static List<PcapRecord> Parse(byte[] file, uint expectedMagic)
    {
        Assert.True(file.Length >= 24);
        Assert.Equal(expectedMagic, BinaryPrimitives.ReadUInt32LittleEndian(file));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(4)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6)));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(12)));
        Assert.Equal(65535u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(16)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(20)));
        var records = new List<PcapRecord>();
        int offset = 24;
        while (offset < file.Length)
        {
            ReadOnlySpan<byte> header = file.AsSpan(offset, 16);
            uint captured = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            records.Add(new PcapRecord(
                BinaryPrimitives.ReadUInt32LittleEndian(header),
                BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(header[12..]),
                file.AsSpan(offset + 16, (int)captured).ToArray()));
            offset += 16 + (int)captured;
        }
        Assert.Equal(file.Length, offset);
        return records;
    }

    [Fact]
    public void Writes_the_microsecond_global_header_and_records()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
        {
            writer.Write(new Instant(3_000_250), [1, 2, 3]);
            writer.Write(new Instant(4_999_999), [4, 5]);
            Assert.Equal(2, writer.RecordCount);
        }

        List<PcapRecord> records = Parse(stream.ToArray(), 0xa1b2c3d4);

        Assert.Equal(2, records.Count);
        Assert.Equal((3u, 250u, 3u), (records[0].Seconds, records[0].Fraction, records[0].OriginalLength));
        Assert.Equal([1, 2, 3], records[0].Data);
        Assert.Equal((4u, 999_999u, 2u), (records[1].Seconds, records[1].Fraction, records[1].OriginalLength));
        Assert.Equal([4, 5], records[1].Data);
        Assert.True(stream.CanWrite);
    }

    [Fact]
    public void Nanosecond_files_use_their_magic_and_scale_the_fraction()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, PcapTimestampResolution.Nanoseconds, leaveOpen: true))
            writer.Write(new Instant(7_123_456), [9]);

        List<PcapRecord> records = Parse(stream.ToArray(), 0xa1b23c4d);

        Assert.Equal((7u, 123_456_000u), (records[0].Seconds, records[0].Fraction));
    }

    [Fact]
    public void Cuts_frames_at_the_snap_length_but_keeps_their_original_length()
    {
        var stream = new MemoryStream();
        byte[] jumbo = new byte[70_000];
        jumbo[65_534] = 0xAB;
        using (var writer = new PcapWriter(stream, leaveOpen: true))
            writer.Write(Instant.Zero, jumbo);

        PcapRecord record = Assert.Single(Parse(stream.ToArray(), 0xa1b2c3d4));

        Assert.Equal(65_535, record.Data.Length);
        Assert.Equal(70_000u, record.OriginalLength);
        Assert.Equal(0xAB, record.Data[^1]);
    }

    [Fact]
    public void Disposing_closes_the_stream_unless_asked_to_leave_it_open()
    {
        var stream = new MemoryStream();
        new PcapWriter(stream).Dispose();
        Assert.False(stream.CanWrite);
    }

    [Fact]
    public void Writing_a_record_allocates_nothing()
    {
        var stream = new MemoryStream(capacity: 1 << 20);
        using var writer = new PcapWriter(stream, leaveOpen: true);
        byte[] frame = new byte[100];
        writer.Write(Instant.Zero, frame);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) writer.Write(new Instant(i), frame);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

using System.Buffers.Binary;

namespace Junction.Devices;

/// <summary>
/// Writes Ethernet frames to a classic libpcap file (version 2.4, LINKTYPE_ETHERNET, snap length 65535), readable
/// by tcpdump and Wireshark. Fields are written little-endian, as the magic number tells readers.
/// </summary>
/// <remarks>Not thread-safe. Writing a record allocates nothing.</remarks>
public sealed class PcapWriter : IDisposable
{
    /// <summary>The longest part of a frame that is stored; the rest is cut off (the record keeps the original length).</summary>
    public const int SnapLength = 65535;

    /// <summary>LINKTYPE_ETHERNET.</summary>
    public const uint LinkTypeEthernet = 1;

    private const uint MagicMicroseconds = 0xa1b2c3d4;
    private const uint MagicNanoseconds = 0xa1b23c4d;
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _recordHeader = new byte[16];
    private bool _disposed;

    /// <summary>Writes the file header to <paramref name="stream"/>; records follow.</summary>
    /// <param name="stream">Where the file goes; written from its current position.</param>
    /// <param name="resolution">The timestamp unit.</param>
    /// <param name="leaveOpen">Whether disposing the writer leaves <paramref name="stream"/> open.</param>
    public PcapWriter(Stream stream, PcapTimestampResolution resolution = PcapTimestampResolution.Microseconds, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Resolution = resolution;
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, resolution == PcapTimestampResolution.Nanoseconds ? MagicNanoseconds : MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        _stream.Write(header);
    }

    /// <summary>Creates (or overwrites) the file at <paramref name="path"/> and writes its header.</summary>
    public PcapWriter(string path, PcapTimestampResolution resolution = PcapTimestampResolution.Microseconds)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16), resolution, leaveOpen: false)
    {
    }

    /// <summary>The timestamp unit of the file.</summary>
    public PcapTimestampResolution Resolution { get; }

    /// <summary>How many records were written.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Appends one frame seen at <paramref name="timestamp"/> (microseconds since the clock's epoch; negative times are written as zero).</summary>
    public void Write(Instant timestamp, ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long micros = Math.Max(0, timestamp.Microseconds);
        uint seconds = (uint)(micros / 1_000_000);
        uint fraction = (uint)(micros % 1_000_000);
        if (Resolution == PcapTimestampResolution.Nanoseconds) fraction *= 1000;
        int captured = Math.Min(frame.Length, SnapLength);
        Span<byte> header = _recordHeader;
        BinaryPrimitives.WriteUInt32LittleEndian(header, seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], fraction);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)frame.Length);
        _stream.Write(header);
        _stream.Write(frame[..captured]);
        RecordCount++;
    }

    /// <summary>Pushes buffered records to the underlying stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _stream.Flush();
    }

    /// <summary>Flushes, and closes the stream unless it was to be left open.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stream.Flush();
        if (!_leaveOpen) _stream.Dispose();
    }
}

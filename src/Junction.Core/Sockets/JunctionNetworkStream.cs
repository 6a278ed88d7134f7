using System.Net.Sockets;

namespace Junction.Sockets;

/// <summary>
/// A <see cref="Stream"/> over a connected TCP <see cref="JunctionSocket"/>, like <see cref="NetworkStream"/>: socket
/// failures surface as <see cref="IOException"/> with the <see cref="SocketException"/> inside.
/// </summary>
public sealed class JunctionNetworkStream : Stream
{
    private readonly JunctionSocket _socket;
    private readonly bool _ownsSocket;
    private int _disposed;

    /// <summary>Wraps <paramref name="socket"/>; disposing the stream disposes the socket when <paramref name="ownsSocket"/>.</summary>
    public JunctionNetworkStream(JunctionSocket socket, bool ownsSocket = true)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!socket.Connected) throw new IOException("The socket is not connected.", new SocketException((int)SocketError.NotConnected));
        _socket = socket;
        _ownsSocket = ownsSocket;
    }

    /// <summary>The socket underneath.</summary>
    public JunctionSocket Socket => _socket;

    /// <inheritdoc/>
    public override bool CanRead => _disposed == 0;

    /// <inheritdoc/>
    public override bool CanWrite => _disposed == 0;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanTimeout => true;

    /// <inheritdoc/>
    public override int ReadTimeout
    {
        get => _socket.ReceiveTimeout == 0 ? Timeout.Infinite : _socket.ReceiveTimeout;
        set => _socket.ReceiveTimeout = value == Timeout.Infinite ? 0 : value;
    }

    /// <inheritdoc/>
    public override int WriteTimeout
    {
        get => _socket.SendTimeout == 0 ? Timeout.Infinite : _socket.SendTimeout;
        set => _socket.SendTimeout = value == Timeout.Infinite ? 0 : value;
    }

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            throw new IOException($"Unable to read data from the transport connection: {exception.Message}.", exception);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            await _socket.SendAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            throw new IOException($"Unable to write data to the transport connection: {exception.Message}.", exception);
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            return _socket.Receive(buffer, offset, count, SocketFlags.None);
        }
        catch (SocketException exception)
        {
            throw new IOException($"Unable to read data from the transport connection: {exception.Message}.", exception);
        }
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            _socket.Send(buffer, offset, count, SocketFlags.None);
        }
        catch (SocketException exception)
        {
            throw new IOException($"Unable to write data to the transport connection: {exception.Message}.", exception);
        }
    }

    /// <summary>Bytes are handed to TCP by every write: nothing to flush.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsSocket) _socket.Dispose();
        base.Dispose(disposing);
    }
}

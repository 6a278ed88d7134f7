using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Junction.Transport.Kestrel.Internal;

/// <summary>
/// The connection's zero-copy input as Kestrel reads it: the same buffers (each read returns the TCP receive
/// sequence itself), with the <see cref="SocketException"/>s of Junction's pipe turned into the exceptions Kestrel
/// expects from a transport (<see cref="Microsoft.AspNetCore.Connections.ConnectionResetException"/>,
/// <see cref="Microsoft.AspNetCore.Connections.ConnectionAbortedException"/>).
/// </summary>
internal sealed class JunctionTransportReader(PipeReader inner, JunctionConnectionContext owner) : PipeReader
{
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ValueTask<ReadResult> read = inner.ReadAsync(cancellationToken);
        return read.IsCompletedSuccessfully ? read : AwaitReadAsync(read);
    }

    public override bool TryRead(out ReadResult result)
    {
        try
        {
            return inner.TryRead(out result);
        }
        catch (SocketException error)
        {
            throw owner.Translate(error);
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> AwaitReadAsync(ValueTask<ReadResult> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (SocketException error)
        {
            throw owner.Translate(error);
        }
    }
}

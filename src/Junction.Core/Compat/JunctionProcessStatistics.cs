namespace Junction.Compat;

/// <summary>
/// What the host did for a <see cref="JunctionProcess"/>: the socket calls its filter caught, how each was answered,
/// and the sockets and connections it emulated. Live counters (read at any time from any thread).
/// </summary>
public sealed class JunctionProcessStatistics
{
    private long _caught;
    private long _emulated;
    private long _passedToKernel;
    private long _deferred;
    private long _failed;
    private long _sockets;
    private long _accepted;
    private long _connected;

    /// <summary>Socket calls the filter sent to the host.</summary>
    public long CaughtCalls => Volatile.Read(ref _caught);

    /// <summary>Calls the host answered from its stack (a value or an errno).</summary>
    public long EmulatedCalls => Volatile.Read(ref _emulated);

    /// <summary>Calls that were not about a Junction socket, which the kernel then ran (SECCOMP_USER_NOTIF_FLAG_CONTINUE).</summary>
    public long PassedToKernel => Volatile.Read(ref _passedToKernel);

    /// <summary>Blocking accepts and connects answered later, when a connection arrived or the handshake ended.</summary>
    public long DeferredCalls => Volatile.Read(ref _deferred);

    /// <summary>Emulated calls answered with an errno (EADDRINUSE, ECONNREFUSED, EAGAIN, EINPROGRESS...).</summary>
    public long FailedCalls => Volatile.Read(ref _failed);

    /// <summary>Junction sockets created (socket(AF_INET or AF_INET6, SOCK_STREAM or SOCK_DGRAM)).</summary>
    public long SocketsCreated => Volatile.Read(ref _sockets);

    /// <summary>Connections handed to the program by accept.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _accepted);

    /// <summary>Connections the program opened with connect that were established.</summary>
    public long ConnectionsOpened => Volatile.Read(ref _connected);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{CaughtCalls} calls caught ({EmulatedCalls} emulated, {PassedToKernel} to the kernel, {DeferredCalls} deferred, {FailedCalls} errors); " +
        $"{SocketsCreated} sockets, {ConnectionsAccepted} accepted, {ConnectionsOpened} opened";

    internal void Caught() => Interlocked.Increment(ref _caught);

    internal void Emulated() => Interlocked.Increment(ref _emulated);

    internal void PassedOn() => Interlocked.Increment(ref _passedToKernel);

    internal void Deferred() => Interlocked.Increment(ref _deferred);

    internal void Failed() => Interlocked.Increment(ref _failed);

    internal void SocketCreated() => Interlocked.Increment(ref _sockets);

    internal void Accepted() => Interlocked.Increment(ref _accepted);

    internal void Connected() => Interlocked.Increment(ref _connected);
}

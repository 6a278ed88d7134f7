using System.Net.Sockets;

namespace Junction.Sockets;

/// <summary>
/// The exceptions Junction's sockets raise, the ones System.Net.Sockets raises in the same situations: a
/// <see cref="SocketException"/> with the matching <see cref="SocketError"/> (a Kestrel transport maps ConnectionReset
/// to its ConnectionResetException and OperationAborted to ConnectionAbortedException, as its Sockets transport does).
/// </summary>
internal static class SocketErrors
{
    /// <summary>How a connection that failed with <paramref name="error"/> surfaces.</summary>
    public static SocketException ForConnection(SocketError error) => new((int)error);

    /// <summary>The operation was cut short by a local close, dispose or abort.</summary>
    public static SocketException Aborted() => new((int)SocketError.OperationAborted);
}

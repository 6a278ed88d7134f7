using System.Net;
using System.Net.Sockets;

namespace Junction.Cli.Load;

/// <summary>Opens a client connection as a <see cref="Stream"/>: a Linux socket in the current namespace, or a Junction socket.</summary>
internal delegate ValueTask<Stream> StreamConnector(CancellationToken cancellationToken);

internal static class LinuxConnector
{
    /// <summary>Connects System.Net.Sockets TCP sockets (NoDelay) to <paramref name="target"/>.</summary>
    public static StreamConnector To(IPEndPoint target) => async cancellationToken =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}

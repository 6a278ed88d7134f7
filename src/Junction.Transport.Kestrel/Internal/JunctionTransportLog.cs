using System.Net;
using Microsoft.Extensions.Logging;

namespace Junction.Transport.Kestrel.Internal;

/// <summary>The transport's log messages (category <c>Junction.Transport.Kestrel</c>), as Kestrel's SocketsLog.</summary>
internal static partial class JunctionTransportLog
{
    public const string Category = "Junction.Transport.Kestrel";

    [LoggerMessage(1, LogLevel.Information, "Junction stack started at {Address}/{PrefixLength} on {Device} (MAC {MacAddress}).", EventName = "InstanceStarted")]
    public static partial void InstanceStarted(ILogger logger, IPAddress address, int prefixLength, JunctionDevice device, string macAddress);

    [LoggerMessage(2, LogLevel.Information, "Junction serves Kestrel on the application's instance at {Address}.", EventName = "UsingInstance")]
    public static partial void UsingInstance(ILogger logger, IPAddress address);

    [LoggerMessage(3, LogLevel.Debug, "Junction listening on {EndPoint} for {RequestedEndPoint}.", EventName = "ListenerBound")]
    public static partial void ListenerBound(ILogger logger, EndPoint endPoint, EndPoint requestedEndPoint);

    [LoggerMessage(4, LogLevel.Debug, "Junction stopped listening on {EndPoint}.", EventName = "ListenerUnbound")]
    public static partial void ListenerUnbound(ILogger logger, EndPoint endPoint);

    [LoggerMessage(5, LogLevel.Debug, "Connection id \"{ConnectionId}\" accepted from {RemoteEndPoint}.", EventName = "ConnectionAccepted")]
    public static partial void ConnectionAccepted(ILogger logger, string connectionId, EndPoint remoteEndPoint);

    [LoggerMessage(6, LogLevel.Debug, "Connection id \"{ConnectionId}\" reset.", EventName = "ConnectionReset")]
    public static partial void ConnectionReset(ILogger logger, string connectionId);

    [LoggerMessage(7, LogLevel.Debug, "Connection id \"{ConnectionId}\" aborted: {Reason}.", EventName = "ConnectionAborted")]
    public static partial void ConnectionAborted(ILogger logger, string connectionId, string reason);

    [LoggerMessage(8, LogLevel.Debug, "Connection id \"{ConnectionId}\" failed.", EventName = "ConnectionError")]
    public static partial void ConnectionError(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(9, LogLevel.Debug, "Connection id \"{ConnectionId}\" closed.", EventName = "ConnectionClosed")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId);
}

using System.Runtime.InteropServices;

namespace Junction.Compat;

/// <summary>The socket calls the launcher's filter sends to the host.</summary>
internal enum SocketCall
{
    Other,
    Socket,
    Bind,
    Listen,
    Accept,
    Accept4,
    Connect,
    GetSockName,
    GetPeerName,
    GetSockOpt,
    SetSockOpt,
    Shutdown,
    SendTo,
    RecvFrom,
    SendMsg,
    RecvMsg,
}

/// <summary>System call numbers of this machine's architecture (x86-64 or arm64) for the caught socket calls.</summary>
internal static class SocketCalls
{
    private static readonly bool s_arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    public static SocketCall Classify(int nr) => s_arm64 ? Arm64(nr) : X64(nr);

    private static SocketCall X64(int nr) => nr switch
    {
        41 => SocketCall.Socket,
        42 => SocketCall.Connect,
        43 => SocketCall.Accept,
        44 => SocketCall.SendTo,
        45 => SocketCall.RecvFrom,
        46 => SocketCall.SendMsg,
        47 => SocketCall.RecvMsg,
        48 => SocketCall.Shutdown,
        49 => SocketCall.Bind,
        50 => SocketCall.Listen,
        51 => SocketCall.GetSockName,
        52 => SocketCall.GetPeerName,
        54 => SocketCall.SetSockOpt,
        55 => SocketCall.GetSockOpt,
        288 => SocketCall.Accept4,
        _ => SocketCall.Other,
    };

    private static SocketCall Arm64(int nr) => nr switch
    {
        198 => SocketCall.Socket,
        200 => SocketCall.Bind,
        201 => SocketCall.Listen,
        202 => SocketCall.Accept,
        203 => SocketCall.Connect,
        204 => SocketCall.GetSockName,
        205 => SocketCall.GetPeerName,
        206 => SocketCall.SendTo,
        207 => SocketCall.RecvFrom,
        208 => SocketCall.SetSockOpt,
        209 => SocketCall.GetSockOpt,
        210 => SocketCall.Shutdown,
        211 => SocketCall.SendMsg,
        212 => SocketCall.RecvMsg,
        242 => SocketCall.Accept4,
        _ => SocketCall.Other,
    };
}

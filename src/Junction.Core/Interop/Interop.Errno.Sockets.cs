namespace Junction.Interop;

/// <summary>The socket errno values a program under Junction sees (asm-generic numbering).</summary>
internal static partial class Errno
{
    internal const int EPIPE = 32;
    internal const int ENOTSOCK = 88;
    internal const int EDESTADDRREQ = 89;
    internal const int EADDRINUSE = 98;
    internal const int EADDRNOTAVAIL = 99;
    internal const int ENETUNREACH = 101;
    internal const int ECONNABORTED = 103;
    internal const int ECONNRESET = 104;
    internal const int EISCONN = 106;
    internal const int ENOTCONN = 107;
    internal const int ETIMEDOUT = 110;
    internal const int ECONNREFUSED = 111;
    internal const int EHOSTUNREACH = 113;
    internal const int EALREADY = 114;
    internal const int EINPROGRESS = 115;
}

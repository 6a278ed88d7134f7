using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>The Linux errno values the devices act on (asm-generic numbering, the same on x86-64 and arm64).</summary>
internal static partial class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int ENXIO = 6;
    internal const int E2BIG = 7;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int EFAULT = 14;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int ENODEV = 19;
    internal const int EINVAL = 22;
    internal const int ENOSPC = 28;
    internal const int ENOSYS = 38;
    internal const int ENOPROTOOPT = 92;
    internal const int EPROTONOSUPPORT = 93;
    internal const int EOPNOTSUPP = 95;
    internal const int EAFNOSUPPORT = 97;
    internal const int ENETDOWN = 100;
    internal const int ENOBUFS = 105;

    /// <summary>The errno of the last call that set it (call right after the failing call: the next one resets it).</summary>
    internal static int Last => Marshal.GetLastPInvokeError();

    /// <summary>The exception for a failed call, from the errno it left (read right after the call).</summary>
    internal static System.ComponentModel.Win32Exception LastError(string call) =>
        new(Marshal.GetLastPInvokeError(), $"{call} failed");

    /// <summary>"EBUSY (Device or resource busy)"-style text for messages.</summary>
    internal static string Describe(int errno) => $"{Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";

    /// <summary>The symbolic name (<c>ENOSYS</c>), or <c>errno N</c> for values not listed here.</summary>
    internal static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EINTR => "EINTR",
        ENXIO => "ENXIO",
        E2BIG => "E2BIG",
        EBADF => "EBADF",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        ENOSPC => "ENOSPC",
        ENOSYS => "ENOSYS",
        ENOPROTOOPT => "ENOPROTOOPT",
        EPROTONOSUPPORT => "EPROTONOSUPPORT",
        EOPNOTSUPP => "EOPNOTSUPP",
        EAFNOSUPPORT => "EAFNOSUPPORT",
        ENETDOWN => "ENETDOWN",
        ENOBUFS => "ENOBUFS",
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

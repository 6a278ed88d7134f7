using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>
/// seccomp user notification (seccomp_unotify(2)): receiving a caught call, answering it, installing a descriptor in
/// the caller, and checking a notification is still alive. Layouts are the kernel's (linux/seccomp.h, the same on
/// x86-64 and arm64).
/// </summary>
internal static unsafe partial class Libc
{
    internal const ulong SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100;
    internal const ulong SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;
    internal const ulong SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102;
    internal const ulong SECCOMP_IOCTL_NOTIF_ADDFD = 0x40182103;
    internal const uint SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
    internal const uint SECCOMP_ADDFD_FLAG_SETFD = 1;
    internal const uint SECCOMP_ADDFD_FLAG_SEND = 2;

    /// <summary>struct seccomp_notif: the id, the calling thread (in our pid namespace) and struct seccomp_data.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 80)]
    internal struct SeccompNotif
    {
        internal ulong Id;
        internal uint Pid;
        internal uint Flags;
        internal int Nr;
        internal uint Arch;
        internal ulong InstructionPointer;
        internal fixed ulong Args[6];
    }

    /// <summary>struct seccomp_notif_resp: the return value, or a negative errno, or "let the kernel run it".</summary>
    [StructLayout(LayoutKind.Sequential, Size = 24)]
    internal struct SeccompNotifResp
    {
        internal ulong Id;
        internal long Val;
        internal int Error;
        internal uint Flags;
    }

    /// <summary>struct seccomp_notif_addfd.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 24)]
    internal struct SeccompNotifAddFd
    {
        internal ulong Id;
        internal uint Flags;
        internal uint SrcFd;
        internal uint NewFd;
        internal uint NewFdFlags;
    }

    /// <summary>Waits for the next notification (blocking); -1 with ENOENT when the caller went away meanwhile.</summary>
    internal static int SeccompReceive(int notifyFd, SeccompNotif* notification)
    {
        *notification = default;
        return Ioctl(notifyFd, SECCOMP_IOCTL_NOTIF_RECV, notification);
    }

    /// <summary>Answers a notification; -1 with ENOENT when the caller was interrupted (a signal) or died.</summary>
    internal static int SeccompSend(int notifyFd, ulong id, long value, int error, uint flags)
    {
        var response = new SeccompNotifResp { Id = id, Val = value, Error = error, Flags = flags };
        return Ioctl(notifyFd, SECCOMP_IOCTL_NOTIF_SEND, &response);
    }

    /// <summary>Whether notification <paramref name="id"/> is still pending (its caller alive and waiting).</summary>
    internal static bool SeccompIdValid(int notifyFd, ulong id) => Ioctl(notifyFd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;

    /// <summary>Installs <paramref name="sourceFd"/> in the caller (with SETFD: as <paramref name="newFd"/>, replacing what was there); with SEND it is also the call's return value. Returns the caller's descriptor number or -1.</summary>
    internal static int SeccompAddFd(int notifyFd, ulong id, int sourceFd, uint flags, int newFdFlags, int newFd = 0)
    {
        var request = new SeccompNotifAddFd { Id = id, Flags = flags, SrcFd = (uint)sourceFd, NewFd = (uint)newFd, NewFdFlags = (uint)newFdFlags };
        return Ioctl(notifyFd, SECCOMP_IOCTL_NOTIF_ADDFD, &request);
    }
}

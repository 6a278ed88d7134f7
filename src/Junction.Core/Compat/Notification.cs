using Junction.Interop;

namespace Junction.Compat;

/// <summary>One caught call, copied out of the kernel's struct seccomp_notif: who called what with which arguments.</summary>
internal readonly struct Notification
{
    private readonly ulong _a0, _a1, _a2, _a3, _a4, _a5;

    public unsafe Notification(in Libc.SeccompNotif raw)
    {
        Id = raw.Id;
        Pid = (int)raw.Pid;
        Call = SocketCalls.Classify(raw.Nr);
        _a0 = raw.Args[0];
        _a1 = raw.Args[1];
        _a2 = raw.Args[2];
        _a3 = raw.Args[3];
        _a4 = raw.Args[4];
        _a5 = raw.Args[5];
    }

    /// <summary>The notification's id (what answers name).</summary>
    public ulong Id { get; }

    /// <summary>The calling thread, in the host's pid namespace.</summary>
    public int Pid { get; }

    public SocketCall Call { get; }

    public ulong Arg(int index) => index switch
    {
        0 => _a0,
        1 => _a1,
        2 => _a2,
        3 => _a3,
        4 => _a4,
        5 => _a5,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>An argument as the C int it is (the upper half of the register is not defined).</summary>
    public int IntArg(int index) => unchecked((int)Arg(index));
}

using Junction.Cli.Load;
using Junction.Lab;

namespace Junction.Cli.Bench;

/// <summary>Picks where a comparison runs: the veth lab with AF_XDP as root, else the virtual switch against loopback.</summary>
internal static class TargetFactory
{
    public const string NoRootSentence =
        "Not running as root, so no network namespaces or AF_XDP here: comparing Junction on the in-process virtual switch with Linux sockets over loopback instead (run with sudo for the real comparison).";

    /// <summary>How http-plaintext load is generated: wrk when installed (or demanded), else the built-in generator.</summary>
    public static string? ChooseWrk(string load, Action<string> note)
    {
        string? wrk = Wrk.Find();
        switch (load)
        {
            case "wrk":
                return wrk ?? throw new PrerequisiteException($"--load wrk: wrk is not installed. Install it with '{Wrk.InstallHint}', or use --load builtin.");
            case "builtin":
                return null;
            default:
                if (wrk is null) note($"wrk is not installed ({Wrk.InstallHint}); http-plaintext uses the built-in HTTP/1.1 load generator.");
                return wrk;
        }
    }

    public static IBenchTarget Create(bool root, string? wrk) =>
        root ? new LabTarget(JunctionLab.Create(), wrk) : new SwitchTarget();
}

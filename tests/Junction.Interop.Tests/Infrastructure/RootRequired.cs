using Junction.Lab;

namespace Junction.Interop.Tests.Infrastructure;

/// <summary>
/// Gate for tests that need root (network namespaces, AF_XDP, Linux peers). They fail rather than skip: a CI run
/// that cannot execute them must not look green.
/// </summary>
internal static class RootRequired
{
    public const string Message =
        "This interop test needs root (network namespaces, veth, nftables, AF_XDP): run it as root, e.g. " +
        "'sudo dotnet test tests/Junction.Interop.Tests'. It fails instead of skipping so that CI cannot pass without running it.";

    /// <summary>Fails the calling test unless the process runs as root.</summary>
    public static void Check()
    {
        if (!Environment.IsPrivilegedProcess) Assert.Fail(Message);
    }

    /// <summary>Checks for root, then creates a lab.</summary>
    public static JunctionLab CreateLab(LabOptions? options = null)
    {
        Check();
        return JunctionLab.Create(options);
    }
}

namespace Junction.Cli.Tests;

/// <summary>Tests that need root fail rather than skip: a CI run that cannot execute them must not look green.</summary>
internal static class RootRequired
{
    public static void Check()
    {
        if (!Environment.IsPrivilegedProcess)
            Assert.Fail("This test needs root (network namespaces, veth, AF_XDP): run 'sudo dotnet test tests/Junction.Cli.Tests'.");
    }
}

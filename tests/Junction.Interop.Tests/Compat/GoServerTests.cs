using Junction.Compat;
using Junction.Interop.Tests.Tcp;

namespace Junction.Interop.Tests.Compat;

/// <summary>A statically linked Go program (no libc: it makes its system calls itself) on Junction's stack.</summary>
[Collection(KernelInterop.Name)]
public sealed class GoServerTests
{
    private static readonly TimeSpan s_hang = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Static_go_http_server_under_junction_serves_linux_curl_and_dials_a_linux_server()
    {
        using var directory = new TemporaryDirectory();
        string binary = CompatPrograms.BuildGo("goserver.go", directory.Path);
        Assert.True(CompatPrograms.IsStaticElf(binary), "the Go binary is not statically linked");
        await using CompatLab lab = CompatLab.Start();
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "index.html"), "linux side\n");
        using var linux = lab.StartOnLinux("python3", "-m", "http.server", "8002", "--bind", lab.LinuxAddress, "--directory", directory.Path);
        SocketSemanticsTests.WaitForLinux(lab, 8002);

        JunctionProcess server = lab.Run(binary, ":8080", $"{lab.LinuxAddress}:8002");
        lab.WaitForListener(server, 8080);
        string url = $"http://{lab.JunctionAddress}:8080";
        (int helloExit, string hello) = lab.RunOnLinux(s_hang, "curl", "-sS", "--fail", url + "/");
        (int bigExit, string big) = lab.RunOnLinux(s_hang, "sh", "-c", $"curl -sS --fail {url}/big | wc -c");
        (int relayExit, string relay) = lab.RunOnLinux(s_hang, "curl", "-sS", "--fail", url + "/relay");

        string log = lab.OutputOf(server);
        // Go's start-up probe binds ::ffff:127.0.0.1 (loopback: the kernel's), finds IPv4-mapped addresses work and
        // listens on a dual-stack AF_INET6 socket, which Junction answers with IPv4-mapped addresses.
        Assert.Contains("listening on [::]:8080", log, StringComparison.Ordinal);
        Assert.True(helloExit == 0, $"curl / failed ({helloExit}): {hello} {log}");
        Assert.StartsWith($"hello from go, {lab.LinuxAddress}:", hello, StringComparison.Ordinal);
        Assert.True(bigExit == 0 && big.Trim() == (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), $"curl /big: {big} {log}");
        Assert.True(relayExit == 0 && relay.Trim() == "relayed 200", $"curl /relay: {relay} {log}");
        Assert.True(server.Statistics.ConnectionsAccepted >= 4 && server.Statistics.ConnectionsOpened >= 1, server.Statistics.ToString());
    }
}

using System.Security.Cryptography;
using Junction.Compat;
using Junction.Interop.Tests.Tcp;

namespace Junction.Interop.Tests.Compat;

/// <summary>Python's http.server and curl, unmodified, with their TCP sockets on Junction's stack.</summary>
[Collection(KernelInterop.Name)]
public sealed class PythonHttpTests
{
    private static readonly TimeSpan s_hang = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Python_http_server_under_junction_serves_a_100_MiB_file_to_linux_curl_intact()
    {
        await using CompatLab lab = CompatLab.Start();
        using var directory = new TemporaryDirectory();
        string file = Path.Combine(directory.Path, "blob.bin");
        byte[] content = LinuxSockets.SeededBytes(100 << 20, 9);
        await File.WriteAllBytesAsync(file, content);
        string expected = Convert.ToHexStringLower(SHA256.HashData(content));

        JunctionProcess server = lab.Run("python3", "-m", "http.server", "8000", "--bind", "0.0.0.0", "--directory", directory.Path);
        lab.WaitForListener(server, 8000);
        (int exit, string output) = lab.RunOnLinux(s_hang, "sh", "-c", $"curl -sS --fail http://{lab.JunctionAddress}:8000/blob.bin | sha256sum");

        Assert.True(exit == 0, $"curl failed ({exit}): {output}; server: {lab.OutputOf(server)}");
        Assert.StartsWith(expected, output.Trim(), StringComparison.Ordinal);
        Assert.True(server.Statistics.ConnectionsAccepted >= 2, server.Statistics.ToString());
    }

    [Fact]
    public async Task Curl_under_junction_fetches_from_a_linux_http_server()
    {
        await using CompatLab lab = CompatLab.Start();
        using var directory = new TemporaryDirectory();
        byte[] content = LinuxSockets.SeededBytes(4 << 20, 3);
        await File.WriteAllBytesAsync(Path.Combine(directory.Path, "blob.bin"), content);
        string target = Path.Combine(directory.Path, "fetched.bin");
        using var linux = lab.StartOnLinux("python3", "-m", "http.server", "8001", "--bind", lab.LinuxAddress, "--directory", directory.Path);
        WaitForLinuxServer(lab, 8001);

        JunctionProcess curl = lab.Run("curl", "-sS", "--fail", "--retry", "5", "--retry-connrefused", "--retry-delay", "1", "-o", target, $"http://{lab.LinuxAddress}:8001/blob.bin");
        await curl.WaitForExitAsync().WaitAsync(s_hang);

        Assert.True(curl.Process.ExitCode == 0, $"curl under Junction failed ({curl.Process.ExitCode}): {lab.OutputOf(curl)}");
        byte[] fetched = await File.ReadAllBytesAsync(target);
        Assert.True(content.AsSpan().SequenceEqual(fetched), "the fetched file differs");
        Assert.True(curl.Statistics.ConnectionsOpened >= 1, curl.Statistics.ToString());
        Assert.Equal(0, curl.OpenSockets);
    }

    private static void WaitForLinuxServer(CompatLab lab, int port)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            (int exit, _) = lab.RunOnLinux(s_hang, "bash", "-c", $"exec 3<>/dev/tcp/{lab.LinuxAddress}/{port}");
            if (exit == 0) return;
            Thread.Sleep(50);
        }
        Assert.Fail($"python3 -m http.server did not start on {lab.LinuxAddress}:{port}");
    }
}

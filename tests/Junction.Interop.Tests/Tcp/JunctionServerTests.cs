using System.Globalization;

namespace Junction.Interop.Tests.Tcp;

/// <summary>Linux clients (curl, System.Net.Sockets in the client namespace) against a Junction TCP server.</summary>
[Collection(KernelInterop.Name)]
public sealed class JunctionServerTests
{
    private const long OneGiB = 1L << 30;

    [Fact]
    public async Task Curl_fetches_one_gibibyte_from_a_junction_http_server_and_the_sha256_matches()
    {
        using JunctionInstance junction = JunctionInstance.Start();
        var content = new PatternStream(0x1A2B3C);
        Task<string> expected = Task.Run(() => content.Sha256(OneGiB));
        HttpFileServer server = junction.Invoke(() => new HttpFileServer(junction.Stack.TcpListen(80), "/1g", OneGiB, content));

        string url = string.Create(CultureInfo.InvariantCulture, $"http://{junction.Address}/1g");
        (int exitCode, string output) = junction.RunOnLinux(TimeSpan.FromMinutes(2), "bash", "-o", "pipefail", "-c", $"curl -sS --fail {url} | sha256sum");

        Assert.True(exitCode == 0, output);
        Assert.Equal(await expected + "  -", output.Trim());
        Assert.Equal(["GET /1g HTTP/1.1"], junction.Invoke(() => server.Requests.ToArray()));
        Assert.Equal(1, junction.Invoke(() => server.Completed));
    }
}

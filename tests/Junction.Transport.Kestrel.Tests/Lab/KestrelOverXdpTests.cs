using System.Text.RegularExpressions;

namespace Junction.Tests.Kestrel.Lab;

/// <summary>Kestrel on Junction over AF_XDP, driven by Linux tools (curl, wrk) from the lab's client namespace.</summary>
public sealed partial class KestrelOverXdpTests(KestrelXdpLab lab) : IClassFixture<KestrelXdpLab>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public void Curl_gets_plaintext_over_http11()
    {
        (int exitCode, string output) = lab.RunOnClient(Patience, "curl", "-sS", "--fail", "--http1.1", "-w", "|%{http_version}", lab.Url(KestrelXdpLab.Http1Port, "/plaintext"));

        Assert.True(exitCode == 0, output);
        Assert.Equal("Hello, World!|1.1", output.Trim());
    }

    [Fact]
    public void Curl_gets_a_64_mib_body_whose_sha256_matches()
    {
        string url = lab.Url(KestrelXdpLab.Http1Port, "/body");
        (int exitCode, string output) = lab.RunOnClient(Patience, "bash", "-o", "pipefail", "-c", $"curl -sS --fail {url} | sha256sum");

        Assert.True(exitCode == 0, output);
        Assert.Equal(KestrelXdpLab.BodySha256 + "  -", output.Trim());
    }

    [Fact]
    public void Curl_with_http2_prior_knowledge_gets_plaintext_and_the_body_over_h2c()
    {
        // One URL per curl: curl 7.88.1 (Debian 12) breaks reusing a prior-knowledge connection (curl/curl#10634).
        (int exitCode, string output) = lab.RunOnClient(Patience, "curl", "-sS", "--fail", "--http2-prior-knowledge", "-w", "|%{http_version}", lab.Url(KestrelXdpLab.Http2Port, "/plaintext"));

        Assert.True(exitCode == 0, output);
        Assert.Equal("Hello, World!|2", output.Trim());

        (exitCode, output) = lab.RunOnClient(Patience, "curl", "-sS", "--fail", "--http2-prior-knowledge", lab.Url(KestrelXdpLab.Http2Port, "/protocol"));

        Assert.True(exitCode == 0, output);
        Assert.Equal("HTTP/2", output.Trim());

        string body = lab.Url(KestrelXdpLab.Http2Port, "/body");
        (exitCode, output) = lab.RunOnClient(Patience, "bash", "-o", "pipefail", "-c", $"curl -sS --fail --http2-prior-knowledge {body} | sha256sum");

        Assert.True(exitCode == 0, output);
        Assert.Equal(KestrelXdpLab.BodySha256 + "  -", output.Trim());
    }

    [Fact]
    public void Wrk_drives_plaintext_for_five_seconds_without_errors()
    {
        Assert.True(File.Exists("/usr/bin/wrk") || File.Exists("/usr/local/bin/wrk"), "wrk is not installed: 'apt-get install -y wrk' (scripts/test.sh installs it).");
        (int exitCode, string output) = lab.RunOnClient(Patience, "wrk", "-t1", "-c16", "-d5s", lab.Url(KestrelXdpLab.Http1Port, "/plaintext"));

        Assert.True(exitCode == 0, output);
        Match requests = RequestsLine().Match(output);
        Assert.True(requests.Success, output);
        Assert.True(long.Parse(requests.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, output);
        Assert.DoesNotContain("Socket errors", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Non-2xx", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Curl_over_https_with_a_self_signed_certificate_speaks_http11_and_http2_by_alpn()
    {
        // -k: the certificate is self-signed. --http2 over TLS lets ALPN choose h2.
        (int exitCode, string output) = lab.RunOnClient(Patience, "curl", "-sSk", "--fail", "--http1.1", "-w", "|%{http_version}", lab.HttpsUrl("/protocol"));

        Assert.True(exitCode == 0, output);
        Assert.Equal("HTTP/1.1|1.1", output.Trim());

        (exitCode, output) = lab.RunOnClient(Patience, "curl", "-sSk", "--fail", "--http2", "-w", "|%{http_version}", lab.HttpsUrl("/protocol"));

        Assert.True(exitCode == 0, output);
        Assert.Equal("HTTP/2|2", output.Trim());

        string body = lab.HttpsUrl("/body");
        (exitCode, output) = lab.RunOnClient(Patience, "bash", "-o", "pipefail", "-c", $"curl -sSk --fail --http2 {body} | sha256sum");

        Assert.True(exitCode == 0, output);
        Assert.Equal(KestrelXdpLab.BodySha256 + "  -", output.Trim());
    }

    [Theory]
    [InlineData("h2c")]
    [InlineData("h2")]
    public void H2load_completes_every_request_over_multiplexed_streams(string mode)
    {
        Assert.True(File.Exists("/usr/bin/h2load"), "h2load is not installed: 'apt-get install -y nghttp2-client' (scripts/test.sh installs it).");
        // 4 connections × 16 concurrent streams: h2load speaks h2c by prior knowledge to an http URL, h2 by ALPN to https.
        string url = mode == "h2c" ? lab.Url(KestrelXdpLab.Http2Port, "/plaintext") : lab.HttpsUrl("/plaintext");
        (int exitCode, string output) = lab.RunOnClient(Patience, "h2load", "-n", "4000", "-c", "4", "-m", "16", url);

        Assert.True(exitCode == 0, output);
        Match requests = H2loadRequestsLine().Match(output);
        Assert.True(requests.Success, output);
        Assert.Equal("4000", requests.Groups["done"].Value);
        Assert.Equal("4000", requests.Groups["succeeded"].Value);
        Assert.Equal("0", requests.Groups["failed"].Value);
        Assert.Equal("0", requests.Groups["errored"].Value);
        Assert.Matches(@"status codes: 4000 2xx", output);
    }

    [GeneratedRegex(@"requests: \d+ total, \d+ started, (?<done>\d+) done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored")]
    private static partial Regex H2loadRequestsLine();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Junction.Devices.Xdp;
using Junction.Lab;
using Junction.Transport.Kestrel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Junction.Tests.Kestrel.Lab;

/// <summary>
/// A two-namespace lab whose server side is a real Kestrel host on Junction over AF_XDP (the server veth, opened in
/// the server namespace) at <see cref="JunctionLab.JunctionAddress"/>: HTTP/1.1 on <see cref="Http1Port"/>, cleartext
/// HTTP/2 (prior knowledge) on <see cref="Http2Port"/>, HTTPS (a self-signed certificate, HTTP/1.1 or HTTP/2 by ALPN) on
/// <see cref="HttpsPort"/>. Linux tools run in the client namespace. Needs root: without
/// it the tests fail rather than skip, so a CI run that cannot execute them does not look green.
/// </summary>
public sealed class KestrelXdpLab : IAsyncLifetime
{
    public const int Http1Port = 8080;
    public const int Http2Port = 8081;
    public const int HttpsPort = 8443;
    public const int BodyLength = 64 << 20;

    private static readonly Lazy<byte[]> s_body = new(() => KestrelLab.Pattern(BodyLength, 64));

    private JunctionLab? _lab;
    private WebApplication? _app;
    private X509Certificate2? _certificate;

    public JunctionLab Lab => _lab ?? throw new InvalidOperationException("The lab is not up.");

    public WebApplication App => _app ?? throw new InvalidOperationException("The host is not started.");

    /// <summary>The 64 MiB body of <c>GET /body</c>.</summary>
    public static byte[] Body => s_body.Value;

    /// <summary>SHA-256 (lower-case hex) of <see cref="Body"/>.</summary>
    public static string BodySha256 => Convert.ToHexStringLower(SHA256.HashData(Body));

    public string Url(int port, string path) => $"http://{Lab.JunctionAddress}:{port}{path}";

    public string HttpsUrl(string path) => $"https://{Lab.JunctionAddress}:{HttpsPort}{path}";

    public async Task InitializeAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Fail("The Kestrel-over-AF_XDP lab tests need root (network namespaces, veth, AF_XDP): run them as root, e.g. 'sudo dotnet test tests/Junction.Transport.Kestrel.Tests'.");
        }
        _lab = JunctionLab.Create();
        _certificate = SelfSigned(_lab.JunctionAddress.ToIPAddress());
        X509Certificate2 certificate = _certificate;
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseJunction(o =>
        {
            o.Device = JunctionDevice.Xdp;
            o.Address = _lab.JunctionAddress.ToString();
            o.PrefixLength = JunctionLab.PrefixLength;
            o.Xdp.InterfaceName = _lab.Server.Interface;
            o.Xdp.NetworkNamespace = "/run/netns/" + _lab.Server.Namespace;
            o.Xdp.AttachMode = XdpAttachMode.Auto;
        });
        builder.WebHost.ConfigureKestrel(options =>
        {
            System.Net.IPAddress address = _lab.JunctionAddress.ToIPAddress();
            options.Listen(address, Http1Port, listen => listen.Protocols = HttpProtocols.Http1);
            // Cleartext HTTP/2 needs an Http2-only endpoint: without TLS there is no ALPN to choose by.
            options.Listen(address, Http2Port, listen => listen.Protocols = HttpProtocols.Http2);
            options.Listen(address, HttpsPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            });
        });
        WebApplication app = builder.Build();
        Map(app);
        _app = app;
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs <paramref name="fileName"/> in the client namespace; returns its exit code and output (standard output, then error).</summary>
    public (int ExitCode, string Output) RunOnClient(TimeSpan timeout, string fileName, params string[] arguments)
    {
        using LabProcess process = Lab.StartProcess(LabSide.Client, fileName, arguments);
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout}: {process.StandardOutput}{process.StandardError}");
        }
        return (process.ExitCode, process.StandardOutput + process.StandardError);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_app is not null)
            {
                using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
                {
                    await _app.StopAsync(stop.Token);
                }
                await _app.DisposeAsync();
            }
        }
        finally
        {
            _lab?.Dispose();
            _certificate?.Dispose();
        }
    }

    private static X509Certificate2 SelfSigned(System.Net.IPAddress address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=junction.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel wants a certificate whose key it can use from any store state: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private static void Map(WebApplication app)
    {
        app.MapGet("/plaintext", () => Results.Text("Hello, World!"));
        app.MapGet("/protocol", (HttpContext context) => context.Request.Protocol);
        app.MapGet("/body", async (HttpContext context) =>
        {
            context.Response.ContentLength = BodyLength;
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(Body);
        });
    }
}

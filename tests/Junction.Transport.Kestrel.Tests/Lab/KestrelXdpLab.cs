using System.Security.Cryptography;
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
/// HTTP/2 (prior knowledge) on <see cref="Http2Port"/>. Linux tools run in the client namespace. Needs root: without
/// it the tests fail rather than skip, so a CI run that cannot execute them does not look green.
/// </summary>
public sealed class KestrelXdpLab : IAsyncLifetime
{
    public const int Http1Port = 8080;
    public const int Http2Port = 8081;
    public const int BodyLength = 64 << 20;

    private static readonly Lazy<byte[]> s_body = new(() => KestrelLab.Pattern(BodyLength, 64));

    private JunctionLab? _lab;
    private WebApplication? _app;

    public JunctionLab Lab => _lab ?? throw new InvalidOperationException("The lab is not up.");

    public WebApplication App => _app ?? throw new InvalidOperationException("The host is not started.");

    /// <summary>The 64 MiB body of <c>GET /body</c>.</summary>
    public static byte[] Body => s_body.Value;

    /// <summary>SHA-256 (lower-case hex) of <see cref="Body"/>.</summary>
    public static string BodySha256 => Convert.ToHexStringLower(SHA256.HashData(Body));

    public string Url(int port, string path) => $"http://{Lab.JunctionAddress}:{port}{path}";

    public async Task InitializeAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Fail("The Kestrel-over-AF_XDP lab tests need root (network namespaces, veth, AF_XDP): run them as root, e.g. 'sudo dotnet test tests/Junction.Transport.Kestrel.Tests'.");
        }
        _lab = JunctionLab.Create();
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
        }
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

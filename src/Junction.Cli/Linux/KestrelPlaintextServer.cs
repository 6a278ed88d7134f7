using System.Net;
using System.Net.Sockets;
using Junction.Cli.Services;
using Junction.Lab;
using Junction.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Junction.Cli.Linux;

/// <summary>
/// The plaintext app (<see cref="PlaintextApp"/>) on ASP.NET Core with Kestrel's default Sockets transport: the Linux kernel stack's side of the
/// http-plaintext scenario. In a lab its listening socket is created inside the server namespace and handed to
/// Kestrel as a handle, so Kestrel's connections live there too.
/// </summary>
internal sealed class KestrelPlaintextServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelPlaintextServer(WebApplication app) => _app = app;

    public static async Task<KestrelPlaintextServer> StartAsync(JunctionLab? lab, Ipv4Address address, ushort port)
    {
        WebApplicationBuilder builder = PlaintextApp.CreateBuilder();
        if (lab is null)
        {
            builder.WebHost.ConfigureKestrel(options => options.Listen(address.ToIPAddress(), port));
        }
        else
        {
            Socket listener = LinuxServer.Listen(lab, LabSide.Server, address, port);
            ulong handle = (ulong)listener.SafeHandle.DangerousGetHandle();
            // Kestrel takes the descriptor over and closes it; this object must never close it too.
            listener.SafeHandle.SetHandleAsInvalid();
            builder.WebHost.ConfigureKestrel(options => options.ListenHandle(handle));
        }
        return new KestrelPlaintextServer(await PlaintextApp.StartAsync(builder).ConfigureAwait(false));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Where it listens, for messages.</summary>
    public static string Describe(Ipv4Address address, ushort port) => new IPEndPoint(address.ToIPAddress(), port).ToString();
}

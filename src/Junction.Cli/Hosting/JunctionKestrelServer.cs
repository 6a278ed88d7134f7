using System.Net;
using Junction.Cli.Services;
using Junction.Transport.Kestrel;
using Junction.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Junction.Cli.Hosting;

/// <summary>
/// The plaintext app (<see cref="PlaintextApp"/>) on Kestrel with Junction's transport (<c>UseJunction</c>): the
/// Junction side of http-plaintext. The transport creates the device (AF_XDP or a virtual switch port, as the target
/// configures), the stack and a runtime whose kthreads park on the device when idle instead of spinning.
/// </summary>
internal sealed class JunctionKestrelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private JunctionKestrelServer(WebApplication app) => _app = app;

    /// <summary>Serves on <paramref name="address"/>:<paramref name="port"/>; <paramref name="configure"/> picks the device.</summary>
    public static async Task<JunctionKestrelServer> StartAsync(Ipv4Address address, ushort port, Action<JunctionTransportOptions> configure)
    {
        WebApplicationBuilder builder = PlaintextApp.CreateBuilder();
        builder.WebHost.UseJunction(options =>
        {
            options.Address = address.ToString();
            options.ConfigureStack = static stack =>
            {
                // As the other Junction servers of the command: room for a fast sender's window.
                stack.Tcp.ReceiveBufferSize = 4 << 20;
                stack.Tcp.SendBufferSize = 1 << 20;
            };
            configure(options);
        });
        IPAddress listen = address.ToIPAddress();
        builder.WebHost.ConfigureKestrel(options => options.Listen(listen, port));
        return new JunctionKestrelServer(await PlaintextApp.StartAsync(builder).ConfigureAwait(false));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

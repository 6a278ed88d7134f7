using System.Net;
using Junction.Cli.Services;
using Junction.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Junction.Cli.Hosting;

/// <summary>
/// The plaintext app (<see cref="PlaintextApp"/>) on Kestrel with Junction's transport (<c>UseJunction</c>) over a
/// <see cref="JunctionHost"/>'s instance: the Junction side of http-plaintext and <c>junction serve http</c>. The
/// instance's kthreads park on the device when idle instead of spinning.
/// </summary>
internal sealed class JunctionKestrelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private JunctionKestrelServer(WebApplication app) => _app = app;

    /// <summary>Serves on <paramref name="instance"/>'s address, port <paramref name="port"/>; the instance stays the caller's.</summary>
    public static async Task<JunctionKestrelServer> StartAsync(RuntimeInstance instance, ushort port)
    {
        WebApplicationBuilder builder = PlaintextApp.CreateBuilder();
        builder.WebHost.UseJunction(options => options.Instance = instance);
        IPAddress listen = instance.Stack.Address.ToIPAddress();
        builder.WebHost.ConfigureKestrel(options => options.Listen(listen, port));
        return new JunctionKestrelServer(await PlaintextApp.StartAsync(builder).ConfigureAwait(false));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

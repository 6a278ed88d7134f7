using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Junction.Cli.Services;

/// <summary>
/// The plaintext ASP.NET Core app both sides of http-plaintext serve, whatever Kestrel's transport: every request
/// gets <see cref="HttpPlaintext.Body"/> as text/plain. Only the transport differs between the Linux and Junction runs.
/// </summary>
internal static class PlaintextApp
{
    /// <summary>A slim builder with logging off; the caller picks the transport and endpoint.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        return builder;
    }

    /// <summary>Builds the app, maps the handler and starts it.</summary>
    public static async Task<WebApplication> StartAsync(WebApplicationBuilder builder)
    {
        WebApplication app = builder.Build();
        byte[] body = System.Text.Encoding.ASCII.GetBytes(HttpPlaintext.Body);
        app.Run(context =>
        {
            HttpResponse response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "text/plain";
            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body).AsTask();
        });
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return app;
    }
}

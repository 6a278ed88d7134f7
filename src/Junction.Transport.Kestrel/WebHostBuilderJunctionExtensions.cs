using Junction.Transport.Kestrel;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Puts Kestrel on Junction: <c>builder.WebHost.UseJunction(o =&gt; o.Address = "10.0.0.2")</c>.</summary>
public static class WebHostBuilderJunctionExtensions
{
    /// <summary>
    /// Adds Junction as a Kestrel transport, with options from the configuration section "Junction". Kestrel tries
    /// transports from the last registered to the first, so Junction (registered after the Sockets transport
    /// <c>UseKestrel</c> added) takes the endpoints on its address and Sockets keeps the others. Call it after
    /// <c>UseKestrel</c>, as <c>WebApplication.CreateBuilder</c> and <c>ConfigureWebHostDefaults</c> already did.
    /// </summary>
    public static IWebHostBuilder UseJunction(this IWebHostBuilder hostBuilder)
    {
        ArgumentNullException.ThrowIfNull(hostBuilder);
        return hostBuilder.ConfigureServices((context, services) =>
        {
            services.AddOptions<JunctionTransportOptions>().Bind(context.Configuration.GetSection(JunctionTransportOptions.ConfigurationSectionName));
            services.TryAddSingleton<JunctionTransportFactory>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionListenerFactory, JunctionTransportFactory>(static provider => provider.GetRequiredService<JunctionTransportFactory>()));
        });
    }

    /// <summary>Adds Junction as a Kestrel transport (see <see cref="UseJunction(IWebHostBuilder)"/>), then applies <paramref name="configureOptions"/> over the configuration.</summary>
    public static IWebHostBuilder UseJunction(this IWebHostBuilder hostBuilder, Action<JunctionTransportOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(hostBuilder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        return hostBuilder.UseJunction().ConfigureServices(services => services.Configure(configureOptions));
    }
}

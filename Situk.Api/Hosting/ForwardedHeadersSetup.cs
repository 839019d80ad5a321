using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Situk.Api.Hosting;

/// <summary>
/// <c>Situk:Proxy</c>: the reverse proxies (TLS terminators) in front of the API whose
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed. Empty (default) = none: the
/// socket's address is the client's, and forwarded headers from anyone are ignored. Per-address
/// limits count the forwarded address only when the request came from one of these.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "Situk:Proxy";

    /// <summary>Proxy addresses, e.g. <c>127.0.0.1</c> for a proxy on the same host, <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. <c>10.0.0.0/24</c>, <c>fd00::/64</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row are walked back through <c>X-Forwarded-For</c>. Default 1.</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"{Section}:KnownProxies has '{proxy}', which is not an IP address.", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"{Section}:KnownNetworks has '{network}', which is not a CIDR network (10.0.0.0/24).", [nameof(KnownNetworks)]);
        }
    }
}

/// <summary>ASP.NET Core's ForwardedHeaders middleware, trusting only <see cref="ProxyOptions"/>.</summary>
public static class ForwardedHeadersSetup
{
    public static IServiceCollection AddSitukForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = proxies.Value.ForwardLimit;
            // The framework trusts loopback by default; here only what is configured.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in proxies.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>
    /// Adds the middleware only when a proxy is configured: with both lists empty it would believe
    /// forwarded headers from anyone.
    /// </summary>
    public static IApplicationBuilder UseSitukForwardedHeaders(this IApplicationBuilder app)
    {
        var proxies = app.ApplicationServices.GetRequiredService<IOptions<ProxyOptions>>().Value;
        return proxies.KnownProxies.Length + proxies.KnownNetworks.Length > 0 ? app.UseForwardedHeaders() : app;
    }
}

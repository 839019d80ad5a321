using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Situk.Broker.Options;

namespace Situk.Broker.Page;

/// <summary>
/// The headers every file of the device page carries. The page may load only its own files, and fetch or
/// open sockets only to itself (its <c>ws:</c>/<c>wss:</c> twin included) and to the configured API
/// (<c>PublicApiUrl</c>); no site may frame it; it sends no referrer; its form cannot be submitted
/// anywhere by the browser (the script signs in). Passwords typed here can reach no other origin.
/// </summary>
internal sealed class PageSecurity(IOptions<BrokerOptions> options)
{
    private static readonly SearchValues<char> HostChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]");

    private readonly string _apiOrigin = new Uri(options.Value.PublicApiUrl).GetLeftPart(UriPartial.Authority);

    public void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = Policy(response.HttpContext.Request.Host);
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>
    /// The page's own origin is <c>'self'</c>; its socket twin is named from <c>Host</c> too, for browsers
    /// whose <c>'self'</c> does not cover <c>ws:</c>/<c>wss:</c>. The Host is the one the browser loaded the
    /// page from, so it names no origin the page did not come from.
    /// </summary>
    internal string Policy(HostString host)
    {
        var sockets = host.HasValue && !host.Value.AsSpan().ContainsAnyExcept(HostChars)
            ? $" ws://{host.Value} wss://{host.Value}"
            : "";
        return $"default-src 'self'; connect-src 'self'{sockets} {_apiOrigin}; frame-ancestors 'none'; " +
            "base-uri 'none'; form-action 'none'; object-src 'none'";
    }
}

using Microsoft.Extensions.Options;
using Situk.Broker.Options;

namespace Situk.Broker.Auth;

/// <summary>
/// Browser origins allowed to open device sockets. Always allowed: a request without an <c>Origin</c>
/// header (an app, not a browser), and the broker's own device page — an origin whose host and port are
/// the request's <c>Host</c>, the address the browser opened the socket to (the same-origin rule; a
/// browser cannot be made to send another site's Host). Beyond that only the origins listed in
/// <c>Situk:Broker:AllowedOrigins</c> (default none); <c>*</c> in the list allows any origin.
/// </summary>
internal sealed class OriginPolicy
{
    /// <summary>The entry of <c>AllowedOrigins</c> that allows every origin.</summary>
    public const string Any = "*";

    private readonly HashSet<string> _allowed;
    private readonly bool _any;

    public OriginPolicy(IOptions<BrokerOptions> options)
    {
        _allowed = new(
            options.Value.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')).Where(o => o.Length > 0),
            StringComparer.OrdinalIgnoreCase);
        _any = _allowed.Contains(Any);
    }

    /// <param name="origin">The request's <c>Origin</c> header, if any.</param>
    /// <param name="host">The request's <c>Host</c> header.</param>
    public bool Allows(string? origin, string? host)
    {
        if (_any || string.IsNullOrEmpty(origin))
        {
            return true;
        }

        var trimmed = origin.TrimEnd('/');
        return _allowed.Contains(trimmed) || IsSameOrigin(trimmed, host);
    }

    private static bool IsSameOrigin(string origin, string? host) =>
        !string.IsNullOrEmpty(host)
        && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase);
}

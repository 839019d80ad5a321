using Microsoft.Extensions.Options;
using Situk.Broker.Options;

namespace Situk.Broker.Auth;

/// <summary>
/// Browser origins allowed to open device sockets (<c>Situk:Broker:AllowedOrigins</c>). Empty allows any;
/// a request without an <c>Origin</c> header is not from a browser and is always allowed.
/// </summary>
internal sealed class OriginPolicy(IOptions<BrokerOptions> options)
{
    private readonly HashSet<string> _allowed = new(
        options.Value.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')).Where(o => o.Length > 0),
        StringComparer.OrdinalIgnoreCase);

    public bool Allows(string? origin) =>
        _allowed.Count == 0 || string.IsNullOrEmpty(origin) || _allowed.Contains(origin.TrimEnd('/'));
}

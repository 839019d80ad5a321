using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Situk.Broker.Options;

/// <summary>
/// A listener URL (http only; TLS is terminated in front of the broker) such as <c>http://0.0.0.0:5080</c> as an endpoint Kestrel can bind.
/// <c>localhost</c> binds IPv4 loopback; <c>*</c>, <c>+</c> and other host names bind every address.
/// </summary>
internal static class ListenUrl
{
    public static bool TryParse(string? url, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        var normalized = url?.Replace("://*", "://0.0.0.0", StringComparison.Ordinal)
            .Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        var address = IPAddress.TryParse(host, out var parsed) ? parsed
            : string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.Any;
        endPoint = new IPEndPoint(address, uri.Port);
        return true;
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Situk.Broker.Auth;

/// <summary>Reads bearer credentials and compares shared keys in constant time.</summary>
internal static class BearerKey
{
    private const string Prefix = "Bearer ";

    /// <summary>The bearer token of the <c>Authorization</c> header, or null.</summary>
    public static string? FromHeader(HttpRequest request) => FromHeader(request.Headers[HeaderNames.Authorization].ToString());

    /// <summary>The bearer token of an <c>Authorization</c> header's value, or null.</summary>
    public static string? FromHeader(string? header) =>
        header is not null && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? header[Prefix.Length..].Trim() : null;

    /// <summary>True when the request presents exactly <paramref name="expected"/>; the time taken does not depend on where they differ.</summary>
    public static bool Matches(HttpRequest request, string expected)
    {
        var presented = FromHeader(request);
        if (presented is null || expected.Length == 0)
        {
            return false;
        }

        // Hash both so the comparison is over equal lengths and leaks neither length nor prefix.
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}

using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Situk.Api.Texts;

namespace Situk.Api.Errors;

/// <summary>
/// The language a problem is written in: the first language of the request's <c>Accept-Language</c> (by
/// q-value; <c>id</c>, <c>id-ID</c>, the old <c>in</c>, <c>en</c>, <c>en-US</c> …) that Situk writes, else
/// <c>Situk:DefaultLanguage</c> (default <c>id</c>).
/// </summary>
/// <remarks>
/// Read with the platform's <see cref="StringWithQualityHeaderValue"/> parser rather than
/// <c>RequestLocalizationMiddleware</c>: the API runs with invariant globalization (no culture data, so no
/// <c>id-ID</c> culture to switch to), and only the words of a problem change, not how the request is read.
/// </remarks>
public static class ProblemLanguage
{
    public static string Of(HttpContext http)
    {
        if (StringWithQualityHeaderValue.TryParseList(http.Request.Headers.AcceptLanguage, out var ranges))
        {
            // OrderByDescending is stable: equal q-values keep the client's order. q=0 means "not this one".
            foreach (var range in ranges.Where(r => (r.Quality ?? 1) > 0).OrderByDescending(r => r.Quality ?? 1))
            {
                if (Supported(range.Value.Value) is { } language)
                {
                    return language;
                }
            }
        }

        return http.RequestServices.GetRequiredService<IOptions<TextOptions>>().Value.DefaultLanguage;
    }

    /// <summary><c>id-ID</c> → <c>id</c>, <c>in</c> → <c>id</c>, <c>EN-gb</c> → <c>en</c>; null for any other tag and for <c>*</c>.</summary>
    public static string? Supported(string? tag)
    {
        if (string.IsNullOrEmpty(tag))
        {
            return null;
        }

        var dash = tag.IndexOf('-', StringComparison.Ordinal);
        var primary = (dash < 0 ? tag : tag[..dash]).ToLowerInvariant();
        primary = primary == "in" ? "id" : primary;
        return TextCatalog.IsLanguage(primary) ? primary : null;
    }
}

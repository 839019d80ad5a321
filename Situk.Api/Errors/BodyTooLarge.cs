using Microsoft.AspNetCore.Http.Features;

namespace Situk.Api.Errors;

/// <summary>
/// A body over Kestrel's <c>MaxRequestBodySize</c> (30 000 000 bytes by default) is refused by the framework
/// with a bare 413; this names the body and the limit in the problem, as every other refusal names its field.
/// </summary>
public static class BodyTooLarge
{
    /// <summary>The text of the framework's bare 413: <c>body.too_large</c> with the limit, or <c>body.too_large_unknown</c>.</summary>
    public static ProblemText Describe(HttpContext http)
    {
        var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        var (code, values) = limit is { } bytes
            ? ("body.too_large", new Dictionary<string, object?> { ["limit"] = bytes })
            : ("body.too_large_unknown", new Dictionary<string, object?>());
        return new ProblemText(code, values, new Dictionary<string, FieldText> { ["body"] = new(code, values) });
    }
}

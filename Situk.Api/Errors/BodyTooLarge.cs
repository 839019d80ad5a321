using Microsoft.AspNetCore.Http.Features;

namespace Situk.Api.Errors;

/// <summary>
/// A body over Kestrel's <c>MaxRequestBodySize</c> (30 000 000 bytes by default) is refused by the framework
/// with a bare 413; this names the body and the limit in the problem, as every other refusal names its field.
/// </summary>
public static class BodyTooLarge
{
    public static void Describe(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != StatusCodes.Status413PayloadTooLarge || context.ProblemDetails.Detail is not null)
        {
            return;
        }

        var limit = context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        var message = limit is { } bytes
            ? $"The body is larger than the {bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes this server accepts."
            : "The body is larger than this server accepts.";
        context.ProblemDetails.Detail = message;
        context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [message] };
    }
}

using System.Collections.Frozen;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Situk.Api.Texts;

namespace Situk.Api.Errors;

/// <summary>
/// Writes every problem in the reader's language (<see cref="ProblemLanguage"/>) as it goes out: the
/// <see cref="ProblemText"/> a handler raised, or, for a problem the framework raised (status code pages,
/// the auth middleware, the rate limiter, built-in validation), the text of its status. Sets <c>title</c>,
/// <c>detail</c>, the field messages of <c>errors</c> (field names stay as they are), the stable <c>code</c>
/// extension and <c>Content-Language</c>.
/// </summary>
public static class ProblemWords
{
    /// <summary>The extension every problem carries: a stable machine code, the same in every language.</summary>
    public const string CodeExtension = "code";

    // The codes of problems that arrive with only a status. A status not listed keeps the framework's words.
    private static readonly FrozenDictionary<int, string> StatusCodeNames = new Dictionary<int, string>
    {
        [StatusCodes.Status400BadRequest] = "request.invalid",
        [StatusCodes.Status401Unauthorized] = "auth.required",
        [StatusCodes.Status403Forbidden] = "auth.forbidden",
        [StatusCodes.Status404NotFound] = "not_found",
        [StatusCodes.Status405MethodNotAllowed] = "method_not_allowed",
        [StatusCodes.Status413PayloadTooLarge] = "body.too_large",
        [StatusCodes.Status415UnsupportedMediaType] = "body.unsupported_type",
        [StatusCodes.Status429TooManyRequests] = "rate_limited",
        [StatusCodes.Status500InternalServerError] = "server.error",
        [StatusCodes.Status503ServiceUnavailable] = "server.unavailable",
    }.ToFrozenDictionary();

    public static void Write(ProblemDetailsContext context)
    {
        var details = context.ProblemDetails;
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<TextOptions>>().Value;
        var reader = Locale.For(ProblemLanguage.Of(http), options.DefaultTimeZone);
        var catalog = TextCatalog.Embedded;
        var status = details.Status ?? http.Response.StatusCode;

        ProblemText? text;
        if (details.Extensions.Remove(ProblemText.Extension, out var raised) && raised is ProblemText given)
        {
            text = given;
        }
        else if (details is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            // Built-in validation: C# member paths become JSON paths, the framework's English messages the reader's words.
            CamelCaseErrors.Apply(context);
            AnnotationMessages.Translate(catalog, reader, validation.Errors);
            details.Title = catalog.Render(reader, TitleKey(catalog, reader, "validation.failed", status));
            details.Detail ??= validation.Errors.Values.SelectMany(m => m).FirstOrDefault();
            Finish(details, http, reader, "validation.failed");
            return;
        }
        else if (StatusCodeNames.TryGetValue(status, out var code))
        {
            text = status == StatusCodes.Status413PayloadTooLarge ? BodyTooLarge.Describe(http) : new ProblemText(code, FrozenDictionary<string, object?>.Empty, null);
            if (details.Detail is not null && status != StatusCodes.Status413PayloadTooLarge)
            {
                // A framework problem that already says something specific keeps it; only its title is written.
                details.Title = catalog.Render(reader, TitleKey(catalog, reader, text.Code, status));
                Finish(details, http, reader, text.Code);
                return;
            }
        }
        else
        {
            return;
        }

        details.Title = catalog.Render(reader, TitleKey(catalog, reader, text.Code, status));
        details.Detail = catalog.Render(reader, text.DetailKey, text.Values);
        if (text.Errors is { } errors)
        {
            var written = errors.ToDictionary(e => e.Key, e => new[] { catalog.Render(reader, ProblemText.KeyOf(e.Value.Code), e.Value.Values) }, StringComparer.Ordinal);
            if (details is HttpValidationProblemDetails validation)
            {
                validation.Errors.Clear();
                foreach (var (field, messages) in written)
                {
                    validation.Errors[field] = messages;
                }
            }
            else
            {
                details.Extensions["errors"] = written;
            }
        }

        Finish(details, http, reader, text.Code);
    }

    /// <summary><c>problem.{code}.title</c> when the code has a title of its own, else the title of its status, <c>problem.title.{status}</c>.</summary>
    private static string TitleKey(TextCatalog catalog, Locale reader, string code, int status)
    {
        var own = ProblemText.KeyOf(code) + ".title";
        return catalog.Has(reader.Language, own) ? own : "problem.title." + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Finish(ProblemDetails details, HttpContext http, Locale reader, string code)
    {
        details.Extensions[CodeExtension] = code;
        http.Response.Headers.ContentLanguage = reader.Language;
    }
}

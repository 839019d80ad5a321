using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Situk.Api.Errors;

/// <summary>
/// Turns the framework's <see cref="BadHttpRequestException"/> (malformed JSON, a value of the wrong
/// type, a missing body, a wrong content type) into problem+json with the field at fault, instead of
/// an empty 400 or a 500. The field comes from the JSON path of the failure (<c>$.quota</c> → <c>quota</c>).
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        LogBadRequest(logger, bad.StatusCode, httpContext.Request.Path);
        var status = bad.StatusCode;
        var (field, code, values) = Describe(bad);
        httpContext.Response.StatusCode = status;
        var details = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [] }) { Status = status };
        Problems.Describe(details, code, new Dictionary<string, FieldText> { [field] = FieldText.Of(code, values) }, values);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    /// <summary>The field at fault and the code of its text (<c>problems.*.json</c>), with the values the text names.</summary>
    private static (string Field, string Code, (string, object?)[] Values) Describe(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ("body", "body.unsupported_type", []);
        }

        if (bad.InnerException is JsonException { Data: var data } nul && data[NulFreeStrings.PropertyKey] is string property)
        {
            var owner = FieldOf(nul.Path);
            var field = owner == "body" ? property : $"{owner}.{property}";
            return (field, "request.value_nul", [("field", field)]);
        }

        if (bad.InnerException is JsonException json)
        {
            var field = FieldOf(json.Path);
            return field == "body"
                ? (field, "request.body_malformed", [])
                : (field, "request.value_malformed", [("field", field)]);
        }

        // A route or query value of the wrong type: 'Failed to bind parameter "int? limit" from "x".'
        if (BindFailure().Match(bad.Message) is { Success: true } failed)
        {
            var name = failed.Groups["name"].Value;
            return (name, "request.value_malformed", [("field", name)]);
        }

        return bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? ("body", "request.body_required", [])
            : ("body", "request.malformed", []);
    }

    /// <summary><c>$.apl01.birthDate</c> → <c>apl01.birthDate</c>; <c>$</c> or nothing → <c>body</c>.</summary>
    public static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    [GeneratedRegex("""^Failed to bind parameter "[^"]*?(?<name>\w+)" from""", RegexOptions.CultureInvariant)]
    private static partial Regex BindFailure();

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Bad request ({Status}) on {Path}")]
    private static partial void LogBadRequest(ILogger logger, int status, PathString path);
}

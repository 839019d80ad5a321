using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Situk.Api.Evidence;

/// <summary>The refusals of the evidence routes, each naming the form field at fault under <c>errors</c>.</summary>
public static class EvidenceProblems
{
    public static ProblemHttpResult Field(int status, string field, string message) =>
        TypedResults.Problem(
            statusCode: status,
            title: status switch
            {
                StatusCodes.Status413PayloadTooLarge => "Too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                StatusCodes.Status422UnprocessableEntity => "The request cannot be carried out",
                _ => "One or more validation errors occurred.",
            },
            detail: message,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static ProblemHttpResult Invalid(string field, string message) => Field(StatusCodes.Status400BadRequest, field, message);

    public static ProblemHttpResult TooLarge(string field, string message) => Field(StatusCodes.Status413PayloadTooLarge, field, message);

    public static ProblemHttpResult FileTooLarge(long limit) =>
        TooLarge("file", $"The file is larger than {Bytes(limit)}, the most one file may be.");

    public static ProblemHttpResult WrongType() =>
        Field(StatusCodes.Status415UnsupportedMediaType, "file", $"The file is not a {FileSignatures.Names} file (judged by its content, not its name or declared type).");

    public static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
}

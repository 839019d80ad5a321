using Microsoft.AspNetCore.Http.HttpResults;

namespace Situk.Api.Errors;

/// <summary>The RFC 7807 answers handlers give when they refuse: one place, one wording.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{what} was not found.");

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail, extensions: extensions);

    /// <summary>409 for a registration not in a state that allows the step; <c>detail</c> and <c>currentStatus</c> name its status.</summary>
    public static ProblemHttpResult WrongState(long registrationId, string current, params string[] needed) =>
        Conflict(
            $"Registration {registrationId} is '{current}'; this step needs '{string.Join("' or '", needed)}'.",
            new Dictionary<string, object?> { ["currentStatus"] = current });

    /// <summary>422: the request is well-formed but the business rules refuse it.</summary>
    public static ProblemHttpResult Unprocessable(string detail, IDictionary<string, string[]>? errors = null) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The request cannot be carried out",
            detail: detail,
            extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });

    /// <summary>400 with field-level errors, for checks that annotations cannot express.</summary>
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "One or more validation errors occurred.");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);
}

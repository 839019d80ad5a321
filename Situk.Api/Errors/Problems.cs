using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Situk.Api.Errors;

/// <summary>
/// The RFC 7807 answers handlers give when they refuse. A handler names a code and the values its text
/// needs; the words are <c>problem.{code}</c> in <c>Texts/problems.{id,en}.json</c>, written in the reader's
/// language by <see cref="ProblemWords"/>, and the code goes out as the <c>code</c> extension.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string code, params (string Name, object? Value)[] values) =>
        Problem(StatusCodes.Status404NotFound, code, values);

    public static ProblemHttpResult Conflict(string code, params (string Name, object? Value)[] values) =>
        Problem(StatusCodes.Status409Conflict, code, values);

    /// <summary>409 with extensions beside the text (<c>currentStatus</c>, <c>registrationId</c>…).</summary>
    public static ProblemHttpResult Conflict(string code, IDictionary<string, object?> extensions, params (string Name, object? Value)[] values) =>
        Problem(StatusCodes.Status409Conflict, code, null, extensions, values);

    /// <summary>409 for a registration not in a state that allows the step; <c>detail</c> and <c>currentStatus</c> name its status.</summary>
    public static ProblemHttpResult WrongState(long registrationId, string current, params string[] needed) =>
        Conflict(
            "registration.wrong_state",
            new Dictionary<string, object?> { ["currentStatus"] = current },
            ("id", registrationId),
            ("current", current),
            ("needed", string.Join("' / '", needed)));

    /// <summary>422: the request is well-formed but the business rules refuse it.</summary>
    public static ProblemHttpResult Unprocessable(string code, params (string Name, object? Value)[] values) =>
        Problem(StatusCodes.Status422UnprocessableEntity, code, values);

    /// <summary>422 naming the fields at fault under <c>errors</c>.</summary>
    public static ProblemHttpResult Unprocessable(string code, IReadOnlyDictionary<string, FieldText> errors, params (string Name, object? Value)[] values) =>
        Problem(StatusCodes.Status422UnprocessableEntity, code, errors, null, values);

    /// <summary>400 with one field error, for checks that annotations cannot express; the detail says the same.</summary>
    public static ValidationProblem Invalid(string field, string code, params (string Name, object? Value)[] values)
    {
        var named = ProblemText.ValuesOf(values);
        var text = new ProblemText(code, named, new Dictionary<string, FieldText> { [field] = new(code, named) });
        return TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [] },
            extensions: new Dictionary<string, object?> { [ProblemText.Extension] = text });
    }

    /// <summary>400 with one field error whose text was chosen elsewhere (a hand-written body reader).</summary>
    public static ValidationProblem Invalid(string field, FieldText text) =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [] },
            extensions: new Dictionary<string, object?>
            {
                [ProblemText.Extension] = new ProblemText(text.Code, text.Values, new Dictionary<string, FieldText> { [field] = text }),
            });

    public static ProblemHttpResult Forbidden(string code, params (string Name, object? Value)[] values) =>
        Problem(StatusCodes.Status403Forbidden, code, values);

    /// <summary>Any status; with <paramref name="field"/>, the detail is also that field's message under <c>errors</c>.</summary>
    public static ProblemHttpResult Problem(int status, string code, string? field, params (string Name, object? Value)[] values)
    {
        var named = ProblemText.ValuesOf(values);
        return Build(status, code, field is null ? null : new Dictionary<string, FieldText> { [field] = new(code, named) }, null, named);
    }

    public static ProblemHttpResult Problem(int status, string code, params (string Name, object? Value)[] values) =>
        Build(status, code, null, null, ProblemText.ValuesOf(values));

    /// <summary>A field message for <see cref="Unprocessable(string, IReadOnlyDictionary{string, FieldText}, ValueTuple{string, object}[])"/>.</summary>
    public static FieldText Field(string code, params (string Name, object? Value)[] values) => FieldText.Of(code, values);

    /// <summary>Attaches a text to problem details built by hand (exception handlers, status code pages).</summary>
    public static void Describe(ProblemDetails details, string code, IReadOnlyDictionary<string, FieldText>? errors, params (string Name, object? Value)[] values) =>
        details.Extensions[ProblemText.Extension] = new ProblemText(code, ProblemText.ValuesOf(values), errors);

    /// <summary>Any status, with field messages under <c>errors</c>.</summary>
    public static ProblemHttpResult Problem(int status, string code, IReadOnlyDictionary<string, FieldText> errors, params (string Name, object? Value)[] values) =>
        Build(status, code, errors, null, ProblemText.ValuesOf(values));

    /// <summary>Any status, with field messages and extensions beside the text (<c>kind</c>, <c>documentId</c>…).</summary>
    public static ProblemHttpResult Problem(
        int status, string code, IReadOnlyDictionary<string, FieldText>? errors, IDictionary<string, object?>? extensions, params (string Name, object? Value)[] values) =>
        Build(status, code, errors, extensions, ProblemText.ValuesOf(values));

    private static ProblemHttpResult Build(
        int status, string code, IReadOnlyDictionary<string, FieldText>? errors, IDictionary<string, object?>? extensions, IReadOnlyDictionary<string, object?> values)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>(), StringComparer.Ordinal)
        {
            [ProblemText.Extension] = new ProblemText(code, values, errors),
        };
        return TypedResults.Problem(statusCode: status, extensions: all);
    }
}

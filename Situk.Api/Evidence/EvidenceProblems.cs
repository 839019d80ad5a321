using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Situk.Api.Errors;

namespace Situk.Api.Evidence;

/// <summary>The refusals of the evidence routes, each naming the form field at fault under <c>errors</c>.</summary>
public static class EvidenceProblems
{
    /// <summary>The detail is also the field's message; the words are <c>problem.{code}</c> in <c>problems.*.json</c>.</summary>
    public static ProblemHttpResult Field(int status, string field, string code, params (string Name, object? Value)[] values) =>
        Problems.Problem(status, code, field, values);

    public static ProblemHttpResult Invalid(string field, string code, params (string Name, object? Value)[] values) =>
        Field(StatusCodes.Status400BadRequest, field, code, values);

    public static ProblemHttpResult TooLarge(string field, string code, params (string Name, object? Value)[] values) =>
        Field(StatusCodes.Status413PayloadTooLarge, field, code, values);

    public static ProblemHttpResult FileTooLarge(long limit) => TooLarge("file", "evidence.file_too_large", ("size", Bytes(limit)));

    public static ProblemHttpResult WrongType() =>
        Field(StatusCodes.Status415UnsupportedMediaType, "file", "evidence.file_type", ("types", FileSignatures.Names));

    /// <summary>A byte count with thousands separators, <c>5,242,880</c>; the unit is in the text.</summary>
    public static string Bytes(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture);
}

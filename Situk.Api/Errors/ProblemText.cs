namespace Situk.Api.Errors;

/// <summary>
/// What a problem says, as keys of <c>Texts/problems.{id,en}.json</c> and the values they name. A handler
/// raises it where it refuses; <see cref="ProblemWords"/> writes it in the reader's language when the
/// answer is written, since only then is the request's language known.
/// </summary>
/// <remarks>
/// Rides in <see cref="Microsoft.AspNetCore.Mvc.ProblemDetails.Extensions"/> under <see cref="Extension"/>
/// until then and is removed there; its members are internal so it serialises as <c>{}</c> should it ever
/// be written unread.
/// </remarks>
public sealed class ProblemText
{
    /// <summary>The extension key the text travels under between the handler and the writer.</summary>
    public const string Extension = "situk.problemText";

    internal ProblemText(string code, IReadOnlyDictionary<string, object?> values, IReadOnlyDictionary<string, FieldText>? errors)
    {
        Code = code;
        Values = values;
        Errors = errors;
    }

    /// <summary>The stable machine code, e.g. <c>registration.wrong_state</c>; the detail is the text <c>problem.{code}</c>.</summary>
    internal string Code { get; }

    /// <summary>The values the detail names.</summary>
    internal IReadOnlyDictionary<string, object?> Values { get; }

    /// <summary>Field (JSON path) → its message, or null for a problem with no field errors.</summary>
    internal IReadOnlyDictionary<string, FieldText>? Errors { get; }

    /// <summary>The text key of the detail.</summary>
    internal string DetailKey => KeyOf(Code);

    /// <summary>The text key of a code: <c>registration.not_found</c> → <c>problem.registration.not_found</c>.</summary>
    public static string KeyOf(string code) => "problem." + code;

    public static IReadOnlyDictionary<string, object?> ValuesOf((string Name, object? Value)[] values)
    {
        var named = new Dictionary<string, object?>(values.Length, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            named.Add(name, value);
        }

        return named;
    }
}

/// <summary>One field's message: the text <c>problem.{Code}</c> and the values it names.</summary>
public sealed record FieldText(string Code, IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>A field message: <c>Problems.Field("field.future")</c>, <c>Problems.Field("field.at_least", ("min", 3))</c>.</summary>
    public static FieldText Of(string code, params (string Name, object? Value)[] values) => new(code, ProblemText.ValuesOf(values));
}

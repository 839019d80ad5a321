using System.Text.RegularExpressions;
using Situk.Api.Texts;

namespace Situk.Api.Errors;

/// <summary>
/// The messages of the validation attributes (the framework's and Situk's own) in the reader's language.
/// Minimal-API validation has no hook to localise an attribute's message, so each known English message is
/// matched here and written again from <c>problem.field.*</c>; the field's name (the JSON path) stays as it is.
/// A message no pattern knows is left in English.
/// </summary>
public static partial class AnnotationMessages
{
    private static readonly (Regex Pattern, string Code)[] Known =
    [
        (Required(), "field.required"),
        (StringLengthRange(), "field.length_range"),
        (StringLengthMax(), "field.length_max"),
        (Range(), "field.range"),
        (MaxLength(), "field.max_length"),
        (MinLength(), "field.min_length"),
        (Email(), "field.email"),
        (CanonicalEmail(), "field.canonical_email"),
        (Language(), "field.language"),
        (TimeZone(), "field.time_zone"),
    ];

    public static void Translate(TextCatalog catalog, Locale reader, IDictionary<string, string[]> errors)
    {
        foreach (var field in errors.Keys.ToList())
        {
            errors[field] = [.. errors[field].Select(message => Translate(catalog, reader, message))];
        }
    }

    public static string Translate(TextCatalog catalog, Locale reader, string message)
    {
        foreach (var (pattern, code) in Known)
        {
            if (pattern.Match(message) is { Success: true } match)
            {
                var values = pattern.GetGroupNames().Where(n => !char.IsDigit(n[0])).ToDictionary(n => n, n => (object?)match.Groups[n].Value, StringComparer.Ordinal);
                return catalog.Render(reader, ProblemText.KeyOf(code), values);
            }
        }

        return message;
    }

    [GeneratedRegex(@"^The (?<field>\S+) field is required\.$", RegexOptions.CultureInvariant)]
    private static partial Regex Required();

    [GeneratedRegex(@"^The field (?<field>\S+) must be a string with a minimum length of (?<min>\d+) and a maximum length of (?<max>\d+)\.$", RegexOptions.CultureInvariant)]
    private static partial Regex StringLengthRange();

    [GeneratedRegex(@"^The field (?<field>\S+) must be a string with a maximum length of (?<max>\d+)\.$", RegexOptions.CultureInvariant)]
    private static partial Regex StringLengthMax();

    [GeneratedRegex(@"^The field (?<field>\S+) must be between (?<min>\S+) and (?<max>\S+)\.$", RegexOptions.CultureInvariant)]
    private static partial Regex Range();

    [GeneratedRegex(@"^The field (?<field>\S+) must be a string or array type with a maximum length of '(?<max>\d+)'\.$", RegexOptions.CultureInvariant)]
    private static partial Regex MaxLength();

    [GeneratedRegex(@"^The field (?<field>\S+) must be a string or array type with a minimum length of '(?<min>\d+)'\.$", RegexOptions.CultureInvariant)]
    private static partial Regex MinLength();

    [GeneratedRegex(@"^The (?<field>\S+) field is not a valid e-mail address\.$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"^The (?<field>\S+) field must be a bare email address \(name@example\.org\), without a display name or angle brackets\.$", RegexOptions.CultureInvariant)]
    private static partial Regex CanonicalEmail();

    [GeneratedRegex(@"^The (?<field>\S+) field must be one of: (?<languages>.+)\.$", RegexOptions.CultureInvariant)]
    private static partial Regex Language();

    [GeneratedRegex(@"^The (?<field>\S+) field must be an IANA time zone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura\.$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeZone();
}

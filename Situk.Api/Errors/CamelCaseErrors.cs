using System.Text;
using System.Text.RegularExpressions;

namespace Situk.Api.Errors;

/// <summary>
/// The built-in minimal-API validation names fields by their C# path (<c>Apl01.FullName</c>,
/// <c>Units[0].Code</c>); the JSON clients send is camelCase. This rewrites the keys of
/// <c>errors</c>, and the member names inside the messages, to the JSON path (<c>apl01.fullName</c>).
/// (dotnet/aspnetcore#61764 tracks doing this in the framework.)
/// </summary>
public static partial class CamelCaseErrors
{
    public static void Apply(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is not HttpValidationProblemDetails validation || validation.Errors.Count == 0)
        {
            return;
        }

        var rewritten = validation.Errors.ToDictionary(
            e => ToJsonPath(e.Key),
            e => e.Value.Select(message => RenameMember(message, e.Key)).ToArray(),
            StringComparer.Ordinal);
        validation.Errors.Clear();
        foreach (var (key, messages) in rewritten)
        {
            validation.Errors[key] = messages;
        }
    }

    /// <summary><c>Units[0].Elements[1].Text</c> → <c>units[0].elements[1].text</c>.</summary>
    public static string ToJsonPath(string path) => SegmentStart().Replace(path, m => m.Value.ToLowerInvariant());

    private static string RenameMember(string message, string path)
    {
        var member = path[(path.LastIndexOf('.') + 1)..];
        var bracket = member.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            member = member[..bracket];
        }

        if (member.Length == 0 || !char.IsUpper(member[0]))
        {
            return message;
        }

        var camel = new StringBuilder(member) { [0] = char.ToLowerInvariant(member[0]) }.ToString();
        return Regex.Replace(message, $@"\b{Regex.Escape(member)}\b", camel, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }

    // The first letter of the path and of each segment after a dot.
    [GeneratedRegex(@"(?<=^|\.)[A-Z]", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentStart();
}

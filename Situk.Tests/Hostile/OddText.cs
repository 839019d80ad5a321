using System.Text.Json;
using System.Text.Json.Nodes;

namespace Situk.Tests.Hostile;

/// <summary>
/// Strings that break naive code: SQL and LIKE metacharacters, NUL, bidirectional overrides, stacked
/// combining marks, emoji sequences, a lone surrogate (sent as the JSON escape <c>\ud800</c>, which .NET
/// strings cannot carry into a serialiser), 10 KB, and the empty string.
/// </summary>
internal static class OddText
{
    /// <summary>Stands in for the lone surrogate until the body is JSON text; see <see cref="ToJson"/>.</summary>
    public const string LoneSurrogate = "@@lone-surrogate@@";

    public static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string>
    {
        ["sql quote"] = "'; DROP TABLE users; --",
        ["sql or"] = "\" OR \"1\"=\"1' OR '1'='1",
        ["like and format"] = "%_\\[]^$1 {0} %s",
        ["nul"] = "before\u0000after",
        ["rtl override"] = "invoice\u202Egpj.exe",
        ["combining marks"] = "Z" + string.Concat(Enumerable.Repeat("\u0351\u0352\u0353\u0354\u0355", 8)),
        ["emoji"] = "Ujian 👩🏽‍💻 🇮🇩 ✅",
        ["zero width"] = "a\u200Bb\uFEFFc",
        ["lone surrogate"] = LoneSurrogate,
        ["html"] = "<script>alert('x')</script>",
        ["line breaks"] = "one\r\ntwo\nthree",
        ["10 KB"] = new string('x', 10 * 1024),
        ["empty"] = "",
    };

    /// <summary>Sets the string at a JSON path such as <c>apl01.fullName</c> or <c>units[0].elements[0].title</c>.</summary>
    public static void Set(JsonNode root, string path, string value)
    {
        var (parent, last) = Walk(root, path);
        if (last.Index is { } index)
        {
            parent.AsArray()[index] = value;
        }
        else
        {
            parent.AsObject()[last.Name] = value;
        }
    }

    /// <summary>True when the template holds a value at <paramref name="path"/>.</summary>
    public static bool Has(JsonNode root, string path)
    {
        try
        {
            var (parent, last) = Walk(root, path);
            return last.Index is { } index ? parent.AsArray().Count > index : parent.AsObject().ContainsKey(last.Name);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException or NullReferenceException)
        {
            return false;
        }
    }

    /// <summary>The string at <paramref name="path"/> in <paramref name="root"/>, or null.</summary>
    public static string? Get(JsonElement root, string path)
    {
        var current = root;
        foreach (var segment in Segments(path))
        {
            if (segment.Index is { } index)
            {
                if (current.ValueKind != JsonValueKind.Array || current.GetArrayLength() <= index)
                {
                    return null;
                }

                current = current[index];
            }
            else if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment.Name, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : null;
    }

    /// <summary>The body as JSON text, with the lone-surrogate stand-in replaced by the escape <c>\ud800</c>.</summary>
    public static string ToJson(JsonNode body) => body.ToJsonString().Replace(LoneSurrogate, "\\ud800", StringComparison.Ordinal);

    private static (JsonNode Parent, (string Name, int? Index) Last) Walk(JsonNode root, string path)
    {
        var segments = Segments(path).ToList();
        var current = root;
        foreach (var segment in segments[..^1])
        {
            current = segment.Index is { } index ? current.AsArray()[index]! : current.AsObject()[segment.Name]!;
        }

        return (current, segments[^1]);
    }

    /// <summary><c>a.b[0].c</c> → (a), (b), ([0]), (c).</summary>
    private static IEnumerable<(string Name, int? Index)> Segments(string path)
    {
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket < 0)
            {
                yield return (part, null);
                continue;
            }

            yield return (part[..bracket], null);
            yield return ("", int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Situk.Api.Texts;

/// <summary>
/// Every word Situk sends to a person, loaded from the embedded files <c>Texts/{area}.{language}.json</c>
/// (flat objects of key → template). Texts are data reviewed like code: an LSP changes a file, not C#.
/// A template names its values in braces, <c>{schemeName}</c>; <c>{{</c> and <c>}}</c> are literal braces.
/// </summary>
public sealed class TextCatalog
{
    /// <summary>The languages every area must have, in the order the docs list them.</summary>
    public static readonly IReadOnlyList<string> Languages = ["id", "en"];

    private readonly FrozenDictionary<string, FrozenDictionary<string, string>> _byLanguage;

    private TextCatalog(FrozenDictionary<string, FrozenDictionary<string, string>> byLanguage) => _byLanguage = byLanguage;

    /// <summary>The catalog embedded in the API assembly; built once, checked at first use.</summary>
    public static TextCatalog Embedded { get; } = Load(typeof(TextCatalog).Assembly);

    public static bool IsLanguage(string? language) => language is not null && Languages.Contains(language);

    /// <summary>Every key of a language (tests walk them to find a template no language may miss).</summary>
    public IEnumerable<string> Keys(string language) => _byLanguage[language].Keys;

    public bool Has(string language, string key) => _byLanguage.TryGetValue(language, out var texts) && texts.ContainsKey(key);

    /// <summary>The raw template; throws <see cref="KeyNotFoundException"/> naming language and key when missing.</summary>
    public string Template(string language, string key) =>
        _byLanguage.TryGetValue(language, out var texts) && texts.TryGetValue(key, out var template)
            ? template
            : throw new KeyNotFoundException($"No text '{key}' in language '{language}'.");

    /// <summary>The names a template's placeholders use, e.g. <c>schemeName</c> for <c>{schemeName}</c>.</summary>
    public IReadOnlySet<string> Placeholders(string language, string key)
    {
        var template = Template(language, key);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] is '{' or '}' && i + 1 < template.Length && template[i + 1] == template[i])
            {
                i++;
                continue;
            }

            if (template[i] == '{' && template.IndexOf('}', i + 1) is var end and > 0)
            {
                names.Add(template[(i + 1)..end]);
                i = end;
            }
        }

        return names;
    }

    /// <summary>
    /// Fills a template. Values are strings, <see cref="DateTimeOffset"/>s written in the reader's zone
    /// and language (<see cref="TextTime"/>), or <see cref="TextKey"/>s written in the reader's language.
    /// A placeholder with no value, or a value the template does
    /// not name, throws: a half-filled or silently shortened text never reaches a person.
    /// </summary>
    public string Render(Locale reader, string key, IReadOnlyDictionary<string, object?>? values = null)
    {
        var template = Template(reader.Language, key);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var output = new StringBuilder(template.Length + 64);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                output.Append('{');
                i++;
                continue;
            }

            if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                output.Append('}');
                i++;
                continue;
            }

            if (c != '{')
            {
                output.Append(c);
                continue;
            }

            var end = template.IndexOf('}', i + 1);
            if (end < 0)
            {
                throw new FormatException($"Text '{key}' ({reader.Language}) has an unclosed placeholder.");
            }

            var name = template[(i + 1)..end];
            if (values is null || !values.TryGetValue(name, out var value) || value is null)
            {
                throw new FormatException($"Text '{key}' ({reader.Language}) names {{{name}}}, which was not given.");
            }

            used.Add(name);
            output.Append(value switch
            {
                DateTimeOffset at => TextTime.Format(this, reader, at),
                TextKey text => Template(reader.Language, text.Key),
                string s => s,
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => value.ToString(),
            });
            i = end;
        }

        if (values is not null)
        {
            foreach (var name in values.Keys)
            {
                if (!used.Contains(name))
                {
                    throw new FormatException($"Text '{key}' ({reader.Language}) was given {{{name}}}, which it does not name.");
                }
            }
        }

        return output.ToString();
    }

    /// <summary>Loads <c>Texts/*.{language}.json</c> resources; every area must exist in every language with the same keys.</summary>
    public static TextCatalog Load(Assembly assembly)
    {
        var byLanguage = Languages.ToDictionary(l => l, _ => new Dictionary<string, string>(StringComparer.Ordinal));
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("texts/", StringComparison.Ordinal)))
        {
            // texts/{area}.{language}.json
            var parts = resource["texts/".Length..].Split('.');
            if (parts.Length != 3 || parts[2] != "json" || !byLanguage.TryGetValue(parts[1], out var texts))
            {
                throw new InvalidOperationException($"Text resource '{resource}' is not named {{area}}.{{{string.Join('|', Languages)}}}.json.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            var file = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                ?? throw new InvalidOperationException($"Text resource '{resource}' is empty.");
            foreach (var (key, template) in file)
            {
                if (!texts.TryAdd(key, template))
                {
                    throw new InvalidOperationException($"Text '{key}' ({parts[1]}) is defined twice.");
                }
            }
        }

        var first = byLanguage[Languages[0]];
        foreach (var language in Languages.Skip(1))
        {
            var missing = first.Keys.Except(byLanguage[language].Keys).Concat(byLanguage[language].Keys.Except(first.Keys)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException($"Texts differ between '{Languages[0]}' and '{language}': {string.Join(", ", missing)}.");
            }
        }

        return new TextCatalog(byLanguage.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenDictionary(StringComparer.Ordinal)));
    }
}

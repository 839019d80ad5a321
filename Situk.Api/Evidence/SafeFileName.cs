using System.Globalization;
using System.Text;

namespace Situk.Api.Evidence;

/// <summary>
/// The file name stored and sent back in <c>Content-Disposition</c>: the last path segment of what the client
/// sent, without control, format (bidi overrides such as U+202E) or separator characters, at most
/// <see cref="MaxLength"/> characters, ending in the extension of the detected type so a saved copy opens as what it is.
/// </summary>
public static class SafeFileName
{
    public const int MaxLength = 120;

    private const int StemLength = MaxLength - 8;

    public static string From(string? sent, FileSignatures.FileType type)
    {
        var name = sent ?? "";
        var slash = name.LastIndexOfAny(['/', '\\']);
        name = slash >= 0 ? name[(slash + 1)..] : name;

        var kept = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var dropped = category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
            if (!dropped && rune.Value is not ('"' or ':' or '*' or '?' or '<' or '>' or '|'))
            {
                kept.Append(rune.ToString());
            }
        }

        var stem = kept.ToString().Trim().Trim('.').Trim();
        var hasExtension = stem.EndsWith(type.Extension, StringComparison.OrdinalIgnoreCase)
            || (type.Extension == ".jpg" && stem.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase));
        if (!hasExtension || stem.Length > MaxLength)
        {
            stem = Shorten(stem, StemLength).TrimEnd();
            stem = (stem.Length == 0 ? "document" : stem) + type.Extension;
        }

        return stem;
    }

    /// <summary>At most <paramref name="length"/> UTF-16 units, never cutting a surrogate pair in half.</summary>
    private static string Shorten(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var end = char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text[..end];
    }
}

using Situk.Api.Texts;

namespace Situk.Api.Notifications;

/// <summary>
/// What a notification says before it is written for its reader: either texts of the catalog and the
/// kind's named values, or words given as they are (an admin's message, words written elsewhere).
/// </summary>
public abstract record NotificationWords
{
    private NotificationWords()
    {
    }

    /// <summary>Title and body as written for <paramref name="reader"/>.</summary>
    public abstract (string Title, string Body) For(TextCatalog catalog, Locale reader);

    /// <summary>
    /// Two texts of the catalog (<c>Texts/notifications.*.json</c>, e.g. <c>verdict.competent.title</c> and
    /// <c>verdict.competent.body.note</c>) filled with <paramref name="Values"/>: strings,
    /// <see cref="DateTimeOffset"/>s written in the reader's zone, or <see cref="TextKey"/>s. A value neither
    /// text names throws, as does a placeholder left without one.
    /// </summary>
    public sealed record FromTexts(string TitleKey, string BodyKey, IReadOnlyDictionary<string, object?> Values) : NotificationWords
    {
        public override (string Title, string Body) For(TextCatalog catalog, Locale reader)
        {
            var (titleKey, bodyKey) = (TitleKey, BodyKey);
            var inTitle = catalog.Placeholders(reader.Language, titleKey);
            var inBody = catalog.Placeholders(reader.Language, bodyKey);
            if (Values.Keys.FirstOrDefault(name => !inTitle.Contains(name) && !inBody.Contains(name)) is { } unused)
            {
                throw new FormatException($"Texts '{BodyKey}' ({reader.Language}) were given {{{unused}}}, which neither title nor body names.");
            }

            return (catalog.Render(reader, titleKey, Only(inTitle)), catalog.Render(reader, bodyKey, Only(inBody)));
        }

        private Dictionary<string, object?> Only(IReadOnlySet<string> names) =>
            Values.Where(v => names.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
    }

    /// <summary>Words that go as given, the same for every reader.</summary>
    public sealed record AsGiven(string Title, string Body) : NotificationWords
    {
        public override (string Title, string Body) For(TextCatalog catalog, Locale reader) => (Title, Body);
    }
}

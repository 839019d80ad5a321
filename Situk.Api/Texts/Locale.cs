namespace Situk.Api.Texts;

/// <summary>
/// Who a text is written for: their language (<c>id</c> or <c>en</c>) and their IANA time zone.
/// Stored times stay UTC; only the words change.
/// </summary>
public sealed record Locale(string Language, TimeZoneInfo Zone)
{
    public const string DefaultZoneId = "Asia/Jakarta";

    /// <summary>A reader from stored settings; throws for a language or zone Situk does not know.</summary>
    public static Locale For(string language, string zoneId) =>
        TextCatalog.IsLanguage(language)
            ? new Locale(language, TimeZoneInfo.FindSystemTimeZoneById(zoneId))
            : throw new ArgumentException($"Unknown language '{language}'.", nameof(language));

    public static bool IsZone(string? zoneId)
    {
        if (string.IsNullOrWhiteSpace(zoneId) || !zoneId.Contains('/', StringComparison.Ordinal))
        {
            // IANA names only ("Asia/Jakarta"); "UTC" is the one exception, and Windows names are refused.
            return zoneId == "UTC";
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone) && zone.HasIanaId;
    }
}

using System.Globalization;

namespace Situk.Api.Texts;

/// <summary>
/// A moment written the way a reader in their zone and language says it: "Senin, 7 Desember 2026 pukul
/// 08.00 WIB" or "Monday 7 December 2026, 08:00 WIB". Day and month names and the pattern are texts
/// (<c>time.*</c> keys), not culture data, so the result is the same with or without ICU.
/// </summary>
public static class TextTime
{
    // The common names Indonesians use; any other zone is written as its UTC offset.
    private static readonly Dictionary<string, string> ZoneNames = new(StringComparer.Ordinal)
    {
        ["Asia/Jakarta"] = "WIB",
        ["Asia/Pontianak"] = "WIB",
        ["Asia/Makassar"] = "WITA",
        ["Asia/Jayapura"] = "WIT",
        ["UTC"] = "UTC",
    };

    public static string Format(TextCatalog catalog, Locale reader, DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, reader.Zone);
        var weekday = catalog.Template(reader.Language, "time.weekday." + (int)local.DayOfWeek);
        var month = catalog.Template(reader.Language, "time.month." + local.Month);
        return catalog.Render(reader, "time.pattern", new Dictionary<string, object?>
        {
            ["weekday"] = weekday,
            ["day"] = local.Day.ToString(CultureInfo.InvariantCulture),
            ["month"] = month,
            ["year"] = local.Year.ToString(CultureInfo.InvariantCulture),
            ["hour"] = local.Hour.ToString("00", CultureInfo.InvariantCulture),
            ["minute"] = local.Minute.ToString("00", CultureInfo.InvariantCulture),
            ["zone"] = ZoneName(reader.Zone, local.Offset),
        });
    }

    public static string ZoneName(TimeZoneInfo zone, TimeSpan offset) =>
        ZoneNames.TryGetValue(zone.Id, out var name)
            ? name
            : "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}

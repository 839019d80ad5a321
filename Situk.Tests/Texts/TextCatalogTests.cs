using Situk.Api.Texts;

namespace Situk.Tests.Texts;

public sealed class TextCatalogTests
{
    private static readonly TextCatalog Catalog = TextCatalog.Embedded;

    // Monday 7 December 2026, 01:00 UTC: 08:00 in Jakarta, 09:00 in Makassar, 10:00 in Jayapura.
    private static readonly DateTimeOffset ExamStart = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);

    [TestCase("id", "Asia/Jakarta", "Senin, 7 Desember 2026 pukul 08.00 WIB")]
    [TestCase("id", "Asia/Makassar", "Senin, 7 Desember 2026 pukul 09.00 WITA")]
    [TestCase("id", "Asia/Jayapura", "Senin, 7 Desember 2026 pukul 10.00 WIT")]
    [TestCase("en", "Asia/Jakarta", "Monday 7 December 2026, 08:00 WIB")]
    [TestCase("en", "Asia/Makassar", "Monday 7 December 2026, 09:00 WITA")]
    [TestCase("en", "Asia/Jayapura", "Monday 7 December 2026, 10:00 WIT")]
    [TestCase("en", "Europe/Amsterdam", "Monday 7 December 2026, 02:00 UTC+01:00")]
    public void A_time_is_written_in_the_readers_zone_and_language(string language, string zone, string expected) =>
        Assert.That(TextTime.Format(Catalog, Locale.For(language, zone), ExamStart), Is.EqualTo(expected));

    [Test]
    public void A_time_across_midnight_takes_the_local_day()
    {
        // 18:30 UTC on Sunday is 01:30 on Monday in Jayapura.
        var at = new DateTimeOffset(2026, 12, 6, 16, 30, 0, TimeSpan.Zero);
        Assert.That(TextTime.Format(Catalog, Locale.For("id", "Asia/Jayapura"), at), Is.EqualTo("Senin, 7 Desember 2026 pukul 01.30 WIT"));
    }

    [Test]
    public void A_placeholder_left_unfilled_or_a_value_not_named_is_refused()
    {
        var reader = Locale.For("en", "Asia/Jakarta");
        Assert.Multiple(() =>
        {
            Assert.That(() => Catalog.Render(reader, "time.pattern", new Dictionary<string, object?> { ["weekday"] = "Monday" }),
                Throws.TypeOf<FormatException>().With.Message.Contains("{day}"));
            Assert.That(() => Catalog.Render(reader, "time.weekday.1", new Dictionary<string, object?> { ["extra"] = "x" }),
                Throws.TypeOf<FormatException>().With.Message.Contains("{extra}"));
            Assert.That(() => Catalog.Render(reader, "no.such.key"), Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("no.such.key"));
        });
    }

    [Test]
    public void Every_language_has_the_same_keys() =>
        Assert.That(Catalog.Keys("id").Order(), Is.EqualTo(Catalog.Keys("en").Order()));

    [TestCase("Asia/Jakarta", true)]
    [TestCase("Asia/Makassar", true)]
    [TestCase("UTC", true)]
    [TestCase("SE Asia Standard Time", false)]
    [TestCase("Asia/Atlantis", false)]
    [TestCase("", false)]
    public void Only_IANA_zone_names_are_zones(string zone, bool known) => Assert.That(Locale.IsZone(zone), Is.EqualTo(known));
}

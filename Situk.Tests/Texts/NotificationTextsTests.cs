using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Situk.Api.Accounts;
using Situk.Api.Certificates;
using Situk.Api.Evidence;
using Situk.Api.Notifications;
using Situk.Api.Registrations;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Tests.Texts;

[Description("Every notification kind, every variant of its words and every email, rendered in both languages and the three Indonesian zones: "
    + "a missing text, a placeholder no value fills or a value no text names fails here, before an LSP's edit reaches a person.")]
public sealed partial class NotificationTextsTests
{
    private static readonly TextCatalog Catalog = TextCatalog.Embedded;

    // Monday 7 December 2026, 01:00 UTC: 08:00 WIB, 09:00 WITA, 10:00 WIT.
    private static readonly DateTimeOffset At = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);

    private static readonly RegistrationStore.Locked Registration = new(
        41, 7, 3, "Junior Web Developer", 11, "Ni Luh Putu Ayu", 12, RegistrationStatus.Scheduled, At,
        "Gede Wirawan", "TUK Lab Informatika", "Gedung Giri Santika, Surabaya");

    private static readonly DocumentDto Document = new(
        5, 41, EvidenceKinds.IdentityCard, EvidencePurposes.Apl01, null, "ktp.pdf", "application/pdf", 1000, "00", At, "rejected", "Blurred", 1, At);

    /// <summary>Every notification Situk writes from its texts, each variant once.</summary>
    private static IEnumerable<NewNotification> Every()
    {
        foreach (var n in RegistrationNotices.Submitted(Registration, [1]))
        {
            yield return n;
        }

        yield return RegistrationNotices.Verified(Registration);
        yield return RegistrationNotices.Rejected(Registration, null);
        yield return RegistrationNotices.Rejected(Registration, "The identity number does not match the KTP.");
        yield return RegistrationNotices.Withdrawn(Registration, [1]).Single();
        foreach (var n in RegistrationNotices.Assigned(Registration, 12, "Gede Wirawan"))
        {
            yield return n;
        }

        yield return RegistrationNotices.Apl02Submitted(Registration);
        yield return RegistrationNotices.Eligible(Registration);
        yield return RegistrationNotices.NotYetCompetentBySelfAssessment(Registration);
        yield return RegistrationNotices.Scheduled(Registration, At);
        yield return RegistrationNotices.Rescheduled(Registration, At, At.AddDays(2));
        yield return RegistrationNotices.Verdict(Registration, true, null);
        yield return RegistrationNotices.Verdict(Registration, true, "Well done.");
        yield return RegistrationNotices.Verdict(Registration, false, null);
        yield return RegistrationNotices.Verdict(Registration, false, "Portfolio incomplete.");
        foreach (var kind in EvidenceKinds.All)
        {
            yield return EvidenceNotices.Rejected(Registration, Document with { Kind = kind }, "Blurred.");
        }

        yield return CertificateNotices.Issued(11, 41, "JWD/2026/00001", "Junior Web Developer", At.AddYears(3));
        yield return CertificateNotices.Revoked(11, 41, "JWD/2026/00001", "Junior Web Developer", "Forged portfolio evidence.");
        yield return CertificateNotices.Expiring(11, 41, "JWD/2026/00001", "Junior Web Developer", At.AddYears(3));
    }

    private static IEnumerable<Locale> Readers() =>
        from language in TextCatalog.Languages
        from zone in new[] { "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura" }
        select Locale.For(language, zone);

    [Test]
    public void Every_kind_but_the_admins_own_message_and_the_digest_is_written_from_texts() =>
        // The admin's message stays as typed; a digest lists its items with the digest.* texts (DigestSweeperTests).
        Assert.That(
            Every().Select(n => n.Kind).Distinct().Order(),
            Is.EqualTo(NotificationKinds.Table.Keys.Where(k => k != NotificationKinds.AdminMessage && k != NotificationKinds.Digest).Order()));

    [Test]
    public void Every_notification_renders_whole_in_both_languages_and_all_three_zones()
    {
        var email = Layout();
        Assert.Multiple(() =>
        {
            foreach (var reader in Readers())
            {
                foreach (var n in Every())
                {
                    var (title, body) = n.Words.For(Catalog, reader);
                    var mail = email.Notification(reader, "Ni Luh Putu Ayu", title, body, n.Link);
                    var neutral = email.Neutral(reader, "Ni Luh Putu Ayu", n.Kind, n.Link);
                    foreach (var text in new[] { title, body, mail.Subject, mail.Text, mail.Html, neutral.Subject, neutral.Text, neutral.Html })
                    {
                        Assert.That(text, Is.Not.Empty.And.Not.Contain("{").And.Not.Contain("}"), $"{n.Kind} ({reader.Language}, {reader.Zone.Id})");
                    }
                }
            }
        });
    }

    [TestCase("id", "Asia/Jakarta", "pada Senin, 7 Desember 2026 pukul 08.00 WIB di")]
    [TestCase("id", "Asia/Makassar", "pukul 09.00 WITA di")]
    [TestCase("id", "Asia/Jayapura", "pukul 10.00 WIT di")]
    [TestCase("en", "Asia/Jakarta", "is on Monday 7 December 2026, 08:00 WIB at")]
    [TestCase("en", "Asia/Makassar", ", 09:00 WITA at")]
    [TestCase("en", "Asia/Jayapura", ", 10:00 WIT at")]
    public void A_scheduled_assessment_names_the_time_in_the_readers_zone_the_tuk_and_the_asesor(string language, string zone, string time)
    {
        var (title, body) = RegistrationNotices.Scheduled(Registration, At).Words.For(Catalog, Locale.For(language, zone));

        Assert.Multiple(() =>
        {
            Assert.That(title, Is.EqualTo(language == "id" ? "Jadwal asesmen" : "Assessment scheduled"));
            Assert.That(body, Does.Contain(time).And.Contain("TUK Lab Informatika, Gedung Giri Santika, Surabaya")
                .And.Contain("Gede Wirawan").And.Contain("Junior Web Developer"));
        });
    }

    [Test]
    public void A_document_kind_is_named_in_the_readers_language()
    {
        var rejected = EvidenceNotices.Rejected(Registration, Document, "Blurred.");
        Assert.Multiple(() =>
        {
            Assert.That(rejected.Words.For(Catalog, Locale.For("id", "Asia/Jakarta")).Body, Does.StartWith("KTP Anda (ktp.pdf)"));
            Assert.That(rejected.Words.For(Catalog, Locale.For("en", "Asia/Jakarta")).Body, Does.StartWith("Your identity card (KTP) (ktp.pdf)"));
        });
    }

    [Test]
    public void A_value_no_text_names_or_a_text_missing_is_refused()
    {
        var reader = Locale.For("en", "Asia/Jakarta");
        var extra = new NotificationWords.FromTexts("registration.verified.title", "registration.verified.body",
            new Dictionary<string, object?> { ["schemeName"] = "JWD", ["shoeSize"] = "42" });
        var missing = new NotificationWords.FromTexts("registration.verified.title", "registration.verified.body", new Dictionary<string, object?>());
        var unknown = new NotificationWords.FromTexts("no.such.title", "no.such.body", new Dictionary<string, object?>());
        Assert.Multiple(() =>
        {
            Assert.That(() => extra.For(Catalog, reader), Throws.TypeOf<FormatException>().With.Message.Contains("{shoeSize}"));
            Assert.That(() => missing.For(Catalog, reader), Throws.TypeOf<FormatException>().With.Message.Contains("{schemeName}"));
            Assert.That(() => unknown.For(Catalog, reader), Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("no.such.title"));
        });
    }

    [Test]
    public void The_account_emails_render_in_both_languages()
    {
        var values = new Dictionary<string, object?> { ["expiresAt"] = At };
        Assert.Multiple(() =>
        {
            foreach (var reader in Readers())
            {
                foreach (var key in new[] { "account.verify.body", "account.reset.body" })
                {
                    Assert.That(Catalog.Render(reader, key, values), Does.Contain(TextTime.Format(Catalog, reader, At)));
                }

                Assert.That(Catalog.Render(reader, "account.verify.code", new Dictionary<string, object?> { ["token"] = "abc" }), Does.EndWith("abc"));
                Assert.That(Catalog.Render(reader, "account.again.body"), Is.Not.Empty);
                foreach (var subject in new[] { AccountNotices.VerifySubject(reader.Language), AccountNotices.AgainSubject(reader.Language), AccountNotices.ResetSubject(reader.Language) })
                {
                    Assert.That(subject, Is.Not.Empty.And.Not.Contain("{"));
                }
            }
        });
    }

    [Test]
    [Description("An LSP writes to asesi formally: \"Anda\", never \"kamu\" or \"kau\".")]
    public void The_indonesian_texts_address_the_reader_as_anda()
    {
        var informal = Catalog.Keys("id").Where(k => Informal().IsMatch(Catalog.Template("id", k))).ToList();
        Assert.That(informal, Is.Empty);
    }

    private static NotificationEmail Layout() => new(
        new PublicLinks(Options.Create(new PublicWebOptions { PublicWebUrl = "https://lsp.example/situk" })),
        Options.Create(new LspOptions { Name = "LSP Digital", Email = "lsp@lsp.example", Phone = "+62 31 1234", Address = "Surabaya", WebUrl = "https://lsp.example" }));

    [GeneratedRegex(@"\b(kamu|kau|mu)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Informal();
}

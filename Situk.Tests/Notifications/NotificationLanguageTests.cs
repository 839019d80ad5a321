using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using MimeKit;
using Situk.Api.Registrations;
using Situk.Api.Texts;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Notifications;

[Description("The same notification kind reaches an English reader in Jayapura and an Indonesian reader in Makassar each in their own words and "
    + "time: in the inbox row, the frame on a real broker socket and the email the SMTP server received; a language changed later applies from then on.")]
public sealed partial class NotificationLanguageTests
{
    private const string PublicWebUrl = "https://lsp.example/situk";
    private SystemFixture _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _system = await SystemFixture.StartAsync(new Dictionary<string, string?>
    {
        ["Situk:PublicWebUrl"] = PublicWebUrl,
        ["Situk:Lsp:Name"] = "LSP Teknologi Digital <Nusantara>",
        ["Situk:Lsp:Email"] = "sertifikasi@lsp.example",
        ["Situk:Lsp:Phone"] = "+62 31 1234 5678",
        ["Situk:Lsp:Address"] = "Jl. Raya ITS, Sukolilo, Surabaya",
        ["Situk:Lsp:WebUrl"] = "https://lsp.example",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task A_moved_assessment_reaches_each_reader_in_their_language_and_zone_everywhere()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var english = await ReaderAsync("en", "Asia/Jayapura", cts.Token);
        var indonesian = await ReaderAsync("id", "Asia/Makassar", cts.Token);
        // 01:00 UTC: 10:00 WIT in Jayapura, 09:00 WITA in Makassar.
        var to = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(20).Date.AddHours(1), TimeSpan.Zero);

        var inEnglish = await MoveAsync(english, to, cts.Token);
        var inIndonesian = await MoveAsync(indonesian, to, cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(inEnglish.Title, Is.EqualTo("Assessment moved"));
            Assert.That(inEnglish.Body, Does.Contain("was moved from").And.Contain(Time("en", "Asia/Jayapura", to)).And.Contain(", 10:00 WIT."));
            Assert.That(inIndonesian.Title, Is.EqualTo("Jadwal asesmen diubah"));
            Assert.That(inIndonesian.Body, Does.Contain("dipindahkan dari").And.Contain(Time("id", "Asia/Makassar", to)).And.Contain(" pukul 09.00 WITA."));
            foreach (var told in new[] { inEnglish, inIndonesian })
            {
                // The TUK by name and address, the asesor and the scheme by name.
                Assert.That(told.Body, Does.Contain("TUK Lab Informatika, Gedung Giri Santika, Surabaya")
                    .And.Contain(told.Reader.Case.Asesor.FullName).And.Contain(told.Reader.Case.Scheme.Name));
                Assert.That(told.Frame, Is.EqualTo((told.Title, told.Body)), "the device frame says what the inbox row says");
                Assert.That(told.Mail.Subject, Is.EqualTo(told.Title), "the email's subject, in the reader's language");
            }
        });
        AssertEmailWorksInAMailClient(inEnglish, "Dear", "View details", "This email was sent automatically by LSP Teknologi Digital <Nusantara>");
        AssertEmailWorksInAMailClient(inIndonesian, "Yth.", "Lihat rincian", "Email ini dikirim otomatis oleh LSP Teknologi Digital <Nusantara>");
    }

    [Test]
    public async Task A_language_changed_by_patch_me_applies_to_notifications_written_after_it()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var reader = await ReaderAsync("id", "Asia/Jakarta", cts.Token);
        var first = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(20).Date.AddHours(1), TimeSpan.Zero);
        var before = await MoveAsync(reader, first, cts.Token);

        using var changed = await reader.Case.Asesi.Client.PatchAsJsonAsync("api/v1/me", new { language = "en", timeZone = "Asia/Jayapura" }, cts.Token);
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await changed.Content.ReadAsStringAsync(cts.Token));
        var after = await MoveAsync(reader, first.AddDays(1), cts.Token);

        var stored = await _system.Api.ScalarAsync<string>("SELECT title FROM notifications WHERE id = @id", ("id", before.Id));
        Assert.Multiple(() =>
        {
            Assert.That(before.Title, Is.EqualTo("Jadwal asesmen diubah"));
            Assert.That(before.Body, Does.Contain(" pukul 08.00 WIB"));
            Assert.That(stored, Is.EqualTo("Jadwal asesmen diubah"), "what was written before the change stays as written");
            Assert.That(after.Title, Is.EqualTo("Assessment moved"));
            Assert.That(after.Body, Does.Contain(Time("en", "Asia/Jayapura", first.AddDays(1))));
            Assert.That(after.Frame.Title, Is.EqualTo("Assessment moved"));
            Assert.That(after.Mail.Subject, Is.EqualTo("Assessment moved"));
            Assert.That(after.Mail.TextBody, Does.StartWith("Assessment moved\n\nDear "));
        });
    }

    private static void AssertEmailWorksInAMailClient(Told told, string greeting, string action, string footer)
    {
        var mail = told.Mail;
        var alternative = mail.Body as MultipartAlternative;
        var link = $"{PublicWebUrl}/registrations/{told.Reader.Case.RegistrationId}";
        var html = mail.HtmlBody ?? "";
        var htmlWords = WebUtility.HtmlDecode(Tags().Replace(html, "\n"));
        Assert.Multiple(() =>
        {
            Assert.That(alternative, Is.Not.Null, "multipart/alternative");
            Assert.That(alternative?.Select(p => p.ContentType.MimeType), Is.EqualTo(new[] { "text/plain", "text/html" }));
            Assert.That(mail.TextBody, Does.Contain(told.Body).And.Contain(greeting).And.Contain($"{action}: {link}").And.Contain(footer));
            Assert.That(mail.TextBody, Does.Contain("+62 31 1234 5678").And.Contain("sertifikasi@lsp.example").And.Contain("Jl. Raya ITS, Sukolilo, Surabaya").And.Contain("https://lsp.example"));
            foreach (var line in (mail.TextBody ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l != "-- "))
            {
                Assert.That(htmlWords, Does.Contain(line), "the HTML part says every line of the plain-text part");
            }

            Assert.That(Hrefs().Matches(html).Select(m => m.Groups[1].Value), Is.EqualTo(new[] { link, link }).Or.EqualTo(new[] { link }));
            Assert.That(html, Does.Contain("&lt;Nusantara&gt;").And.Not.Contain("<Nusantara>"), "configured values are HTML-escaped");
            Assert.That(html, Does.Contain($"<html lang=\"{told.Reader.Language}\""));
        });
    }

    private static string Time(string language, string zone, DateTimeOffset at) => TextTime.Format(TextCatalog.Embedded, Locale.For(language, zone), at);

    /// <summary>An asesi with this language and zone, a device of theirs on the broker, and a registration scheduled a week ahead.</summary>
    private async Task<Reader> ReaderAsync(string language, string zone, CancellationToken ct)
    {
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        using var set = await asesi.Client.PatchAsJsonAsync("api/v1/me", new { language, timeZone = zone }, ct);
        Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.OK), await set.Content.ReadAsStringAsync(ct));
        var c = await new Scenario(_system.Api).CaseAtAsync(RegistrationStatus.Scheduled, asesi: asesi, assessmentDue: false);
        var device = await _system.ConnectDeviceAsync(asesi, ct);
        return new Reader(c, language, device);
    }

    /// <summary>Moves the assessment; returns the notification as the inbox, the device and the mailbox have it.</summary>
    private async Task<Told> MoveAsync(Reader reader, DateTimeOffset to, CancellationToken ct)
    {
        var c = reader.Case;
        using var moved = await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/assessment", new { scheduledAt = to }, ct);
        Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await moved.Content.ReadAsStringAsync(ct));
        var id = await _system.Api.ScalarAsync<long>(
            "SELECT max(id) FROM notifications WHERE user_id = @user AND kind = @kind", ("user", c.Asesi.Id), ("kind", NotificationKinds.AssessmentRescheduled));

        NotificationFrame frame;
        do
        {
            frame = await reader.Device.ReceiveNotificationAsync(ct);
            await reader.Device.SendFrameAsync(new AckFrame([frame.Id]), ct);
        }
        while (frame.Id != id);

        var item = await c.Asesi.Client.GetFromJsonAsync<JsonElement>($"api/v1/me/notifications/{id}", ct);
        var emailId = await _system.Api.ScalarAsync<long>("SELECT id FROM email_outbox WHERE notification_id = @id", ("id", id));
        MimeMessage? mail;
        while ((mail = _system.Smtp.Messages.SingleOrDefault(m => m.Headers["X-Situk-Outbox-Id"] == emailId.ToString(System.Globalization.CultureInfo.InvariantCulture))) is null)
        {
            await Task.Delay(50, ct);
        }

        return new Told(reader, id, item.GetProperty("title").GetString()!, item.GetProperty("body").GetString()!, (frame.Title, frame.Body), mail);
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Hrefs();

    private sealed record Reader(Case Case, string Language, ClientWebSocket Device);

    private sealed record Told(Reader Reader, long Id, string Title, string Body, (string Title, string Body) Frame, MimeMessage Mail);
}

using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Situk.Api.Notifications;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Notifications;

[Description("An email waits for the SMTP server while its reader switches language: it still goes out in one language, the one its "
    + "words were written in — subject, greeting, button, footer and unsubscribe line — as the real SMTP server received it.")]
[NonParallelizable]
public sealed class EmailLanguageAtSendTests
{
    private const string PublicWebUrl = "https://lsp.example/situk";

    private SmtpSink _smtp = null!;
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Situk:Smtp:RetryBaseDelay"] = "00:00:00.200",
            ["Situk:Smtp:RetryMaxDelay"] = "00:00:01",
            ["Situk:Relay:PollInterval"] = "00:00:01",
            ["Situk:PublicWebUrl"] = PublicWebUrl,
            ["Situk:Lsp:Name"] = "LSP Teknologi Digital",
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }
    }

    [Test]
    public async Task A_reader_who_switches_to_english_while_smtp_is_down_gets_the_whole_email_in_indonesian()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var asesi = await _api.CreateUserAsync(Roles.Asesi, "Ni Luh Putu Ayu");
        await PatchMeAsync(asesi, "id", "Asia/Jakarta", cts.Token);
        await _smtp.StopAsync();

        var id = await WriteRevocationAsync(asesi.Id, cts.Token);
        // The relay has tried and found the server down: the email waits, composed at its next attempt.
        await WaitUntilAsync("SELECT count(*) FROM email_outbox WHERE notification_id = @id AND attempts > 0 AND state = 'pending'", id, cts.Token);
        await PatchMeAsync(asesi, "en", "Asia/Jayapura", cts.Token);
        await _smtp.StartAgainAsync();
        var mail = await _smtp.MailToAsync(asesi.Email, "Sertifikat dicabut");

        var text = mail.TextBody ?? "";
        var html = mail.HtmlBody ?? "";
        var everything = $"{mail.Subject}\n{text}\n{EmailLayout.Words(html)}";
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith("Sertifikat dicabut\n\nYth. Ni Luh Putu Ayu,\n\nSertifikat Anda nomor LSP/2026/00042"));
            Assert.That(text, Does.Contain($"Lihat rincian: {PublicWebUrl}/registrations/7"));
            Assert.That(EmailLayout.TextFooter(text), Does.Contain("Email ini dikirim otomatis oleh LSP Teknologi Digital")
                .And.Contain("Tidak ingin lagi menerima email tentang").And.Contain("Berhenti berlangganan: "));
            Assert.That(EmailLayout.Words(EmailLayout.HtmlFooter(html) ?? ""), Does.Contain("Email ini dikirim otomatis oleh").And.Contain("Berhenti berlangganan"));
            Assert.That(html, Does.Contain("<html lang=\"id\""));
            foreach (var english in new[] { "Dear", "View details", "This email was sent", "Unsubscribe", "No longer want", "Certificate" })
            {
                Assert.That(everything, Does.Not.Contain(english), "no English word of the frame around Indonesian words");
            }
        });
    }

    private static async Task PatchMeAsync(TestUser user, string language, string zone, CancellationToken ct)
    {
        using var changed = await user.Client.PatchAsJsonAsync("api/v1/me", new { language, timeZone = zone }, ct);
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await changed.Content.ReadAsStringAsync(ct));
    }

    /// <summary>An optional kind (so the email has an unsubscribe line) written from its texts, as the revocation route writes it.</summary>
    private async Task<long> WriteRevocationAsync(long userId, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(_api.ConnectionString);
        await c.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var ids = await NotificationWriter.AddAsync(c, tx, [NewNotification.FromTexts(
            userId,
            NotificationKinds.CertificateRevoked,
            "certificate.revoked",
            new Dictionary<string, object?> { ["number"] = "LSP/2026/00042", ["schemeName"] = "Junior Web Developer", ["reason"] = "Data palsu." },
            "/registrations/7")], ct);
        await tx.CommitAsync(ct);
        return ids[0];
    }

    private async Task WaitUntilAsync(string sql, long id, CancellationToken ct)
    {
        while (await _api.ScalarAsync<long>(sql, ("id", id)) == 0)
        {
            await Task.Delay(100, ct);
        }
    }
}

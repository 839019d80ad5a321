using MimeKit;
using Npgsql;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Digests;

[Description("A digest's email, as the real SMTP server received it, is laid out like every other email: the reader greeted by name, "
    + "the LSP's footer, a plain-text part beside the HTML one, each item linked to its own inbox item, in the reader's language.")]
[NonParallelizable]
public sealed class DigestEmailTests
{
    private const string PublicWebUrl = "https://lsp.example/situk";
    private const string LspName = "LSP Teknologi Digital";

    private SmtpSink _smtp = null!;
    private ApiFixture _api = null!;
    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Situk:Relay:PollInterval"] = "00:00:01",
            ["Situk:PublicWebUrl"] = PublicWebUrl,
            ["Situk:Lsp:Name"] = LspName,
            ["Situk:Lsp:Email"] = "sertifikasi@lsp.example",
            // Two waiting items make a digest at once: no window to wait out.
            ["Situk:Digests:MaxItems"] = "2",
        });
        _dataSource = NpgsqlDataSource.Create(_api.ConnectionString);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }
    }

    [TestCase("id", "Asia/Jakarta", "2 pendaftaran baru menunggu verifikasi", "Yth.", "Email ini dikirim otomatis oleh", "Buka kotak masuk", " WIB — ")]
    [TestCase("en", "Asia/Jayapura", "2 new registrations await verification", "Dear", "This email was sent automatically by", "Open your inbox", " WIT — ")]
    public async Task The_digest_email_has_the_greeting_the_footer_a_text_part_and_a_link_to_each_item(
        string language, string zone, string title, string greeting, string sender, string open, string timeMark)
    {
        var admin = await _api.CreateUserAsync(Roles.Admin, "Ni Luh Putu Ayu");
        await _api.ScalarAsync<int>("UPDATE users SET language = @language, time_zone = @zone WHERE id = @id RETURNING 1",
            ("language", language), ("zone", zone), ("id", admin.Id));

        var items = await new DigestData(_dataSource).NoticesAsync(admin.Id, NotificationKinds.RegistrationSubmitted, "Ayu", "Bima");
        var mail = await _smtp.MailToAsync(admin.Email, title);

        var text = mail.TextBody ?? "";
        var html = mail.HtmlBody ?? "";
        var itemLinks = items.Select(id => $"{PublicWebUrl}/notifications/{id}").ToArray();
        Assert.Multiple(() =>
        {
            Assert.That((mail.Body as MultipartAlternative)?.Select(p => p.ContentType.MimeType), Is.EqualTo(new[] { "text/plain", "text/html" }),
                "multipart/alternative: a plain-text part beside the HTML one");
            Assert.That(text, Does.StartWith($"{title}\n\n{greeting} Ni Luh Putu Ayu,\n\n"), "greeted by name, in the reader's language");
            Assert.That(text, Does.Contain("Ayu registered").And.Contain("Bima registered").And.Contain(timeMark));
            Assert.That(EmailLayout.TextFooter(text), Does.Contain($"{sender} {LspName}").And.Contain("sertifikasi@lsp.example"), "the LSP's footer in the text part");
            Assert.That(EmailLayout.Words(EmailLayout.HtmlFooter(html) ?? ""), Does.Contain($"{sender} {LspName}").And.Contain("sertifikasi@lsp.example"),
                "the LSP's footer in the HTML part's footer cell");
            Assert.That(html, Does.Contain($"<html lang=\"{language}\"").And.Contain(greeting + " Ni Luh Putu Ayu,"));
            foreach (var link in itemLinks)
            {
                Assert.That(EmailLayout.Hrefs(html).Count(h => h == link), Is.EqualTo(1), $"one absolute link to {link} in the HTML");
                Assert.That(text.Split('\n').Count(l => l.Trim() == link), Is.EqualTo(1), $"{link} once in the text");
            }

            Assert.That(EmailLayout.Hrefs(html).Where(h => h.Contains("/notifications/", StringComparison.Ordinal)), Is.EquivalentTo(itemLinks), "no other item link");
            Assert.That(EmailLayout.Hrefs(html), Has.All.StartWith("https://"), "every link absolute");
            Assert.That(text, Does.Contain($"{open}: {PublicWebUrl}/notifications\n"), "the inbox, written out");
        });
    }

    [Test]
    [Description("The digest's unsubscribe line (digests are optional) sits in the footer of both parts, like every other email's.")]
    public async Task The_digest_emails_unsubscribe_line_is_in_its_footer()
    {
        var admin = await _api.CreateUserAsync(Roles.Admin, "Bima Saputra");
        await new DigestData(_dataSource).NoticesAsync(admin.Id, NotificationKinds.RegistrationSubmitted, "Citra", "Dewi");

        var mail = await _smtp.MailToAsync(admin.Email, "2 pendaftaran baru menunggu verifikasi");

        var url = mail.Headers[HeaderId.ListUnsubscribe]?.Trim('<', '>') ?? "";
        Assert.Multiple(() =>
        {
            Assert.That(url, Does.StartWith($"{PublicWebUrl}/unsubscribe?token="));
            Assert.That(EmailLayout.Hrefs(EmailLayout.HtmlFooter(mail.HtmlBody ?? "") ?? ""), Does.Contain(url));
            Assert.That(EmailLayout.TextFooter(mail.TextBody ?? ""), Does.Contain("Berhenti berlangganan: " + url));
        });
    }

}

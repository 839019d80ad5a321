using System.Net;
using System.Security.Cryptography;
using MimeKit;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Preferences;

[Description("One-click unsubscribe (RFC 8058) on the emails of optional kinds, as the real SMTP server received them: headers, a link in both parts in the reader's language, a GET that changes nothing, a POST that switches the group's email off once; forged, reused, expired, incomplete and mandatory-kind links change nothing.")]
[NonParallelizable]
public sealed class UnsubscribeTests
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
            ["Situk:Relay:PollInterval"] = "00:00:01",
            ["Situk:PublicWebUrl"] = PublicWebUrl,
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
    public async Task An_optional_kind_email_carries_the_one_click_headers_and_the_link_in_both_parts()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);

        var message = await EmailOfAsync(asesi, NotificationKinds.CertificateExpiring, "Sertifikat segera berakhir");

        var url = UnsubscribeUrl(message);
        Assert.Multiple(() =>
        {
            Assert.That(url, Does.Match(@"^https://lsp\.example/situk/unsubscribe\?token=[A-Za-z0-9_-]{43}$"));
            Assert.That(message.Headers["List-Unsubscribe-Post"], Is.EqualTo("List-Unsubscribe=One-Click"));
            Assert.That(message.TextBody, Does.Contain("Berhenti berlangganan: " + url), "Bahasa Indonesia, the asesi's language");
            Assert.That(message.TextBody, Does.Contain("Status sertifikat"));
            Assert.That(message.HtmlBody, Does.Contain($"href=\"{WebUtility.HtmlEncode(url)}\""));
        });
    }

    [Test]
    [Description("The line sits in the layout's footer, under the LSP's lines, in both parts; not after the HTML's card.")]
    public async Task The_link_line_sits_inside_the_footer_of_both_parts()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);

        var message = await EmailOfAsync(asesi, NotificationKinds.CertificateExpiring, "Sertifikat berakhir dalam 90 hari");

        var url = UnsubscribeUrl(message);
        var html = message.HtmlBody ?? "";
        var footer = EmailLayout.HtmlFooter(html);
        Assert.Multiple(() =>
        {
            Assert.That(footer, Is.Not.Null, "one footer cell");
            Assert.That(EmailLayout.Hrefs(footer ?? ""), Is.EqualTo(new[] { url }), "the link is in the footer cell");
            Assert.That(EmailLayout.Hrefs(html).Count(h => h == url), Is.EqualTo(1), "and nowhere else");
            Assert.That(EmailLayout.Words(footer ?? ""), Does.Contain("Tidak ingin lagi menerima email tentang Status sertifikat? Berhenti berlangganan"));
            Assert.That(html[html.LastIndexOf("</table>", StringComparison.Ordinal)..], Does.Not.Contain(url), "nothing after the layout's card");
            Assert.That(EmailLayout.TextFooter(message.TextBody ?? ""), Does.EndWith($"Berhenti berlangganan: {url}\n"), "the text part's footer ends with it");
        });
    }

    [Test]
    public async Task The_link_line_is_in_the_recipients_language()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        await _api.ScalarAsync<int>("UPDATE users SET language = 'en' WHERE id = @id RETURNING 1", ("id", asesi.Id));

        var message = await EmailOfAsync(asesi, NotificationKinds.DocumentRejected, "Document rejected");

        Assert.That(message.TextBody, Does.Contain("No longer want emails about Rejected documents? Unsubscribe: " + UnsubscribeUrl(message)));
    }

    [TestCase(NotificationKinds.VerdictCompetent)]
    [TestCase(NotificationKinds.RegistrationSubmitted)]
    [TestCase(NotificationKinds.CertificateIssued)]
    [TestCase(NotificationKinds.AssessmentRescheduled)]
    public async Task A_mandatory_kind_email_carries_no_unsubscribe(string kind)
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);

        var message = await EmailOfAsync(asesi, kind, "Wajib " + kind);

        Assert.Multiple(async () =>
        {
            Assert.That(message.Headers.Contains("List-Unsubscribe"), Is.False);
            Assert.That(message.Headers.Contains("List-Unsubscribe-Post"), Is.False);
            Assert.That(message.TextBody + message.HtmlBody, Does.Not.Contain("unsubscribe"));
            Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM unsubscribe_links WHERE user_id = @id", ("id", asesi.Id)), Is.Zero);
        });
    }

    [Test]
    [Description("Mail scanners fetch links: the GET shows a confirm form and changes nothing; the POST RFC 8058 describes switches the group's email off, and the next email of the group is never written.")]
    public async Task A_get_only_asks_and_the_one_click_post_switches_the_groups_email_off()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var url = UnsubscribeUrl(await EmailOfAsync(asesi, NotificationKinds.CertificateExpiring, "Berakhir 90 hari"));

        using var shown = await _api.CreateClient().GetAsync(Local(url));
        var page = await shown.Content.ReadAsStringAsync();
        var afterGet = await EmailOnAsync(asesi);
        using var done = await OneClickAsync(url);
        var later = await PreferenceWrites.WriteAsync(_api.ConnectionString, asesi.Id, NotificationKinds.CertificateRevoked, "Dicabut");

        Assert.Multiple(async () =>
        {
            Assert.That(shown.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page, Does.Contain("<form method=\"post\">").And.Contain("Status sertifikat"));
            Assert.That(shown.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("form-action 'self'"));
            Assert.That(afterGet, Is.True, "the GET changed nothing");
            Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK), await done.Content.ReadAsStringAsync());
            Assert.That(await EmailOnAsync(asesi), Is.False);
            Assert.That(await PreferenceWrites.RowsAsync(_api, later), Is.EqualTo((1L, 1L, 0L)), "inbox and push stay, no email");
        });
    }

    [Test]
    public async Task A_reused_link_is_410_and_changes_nothing()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var url = UnsubscribeUrl(await EmailOfAsync(asesi, NotificationKinds.CertificateExpiring, "Sekali pakai"));
        using var first = await OneClickAsync(url);
        using var on = await asesi.Client.PutAsync("api/v1/me/preferences",
            new StringContent("""{"groups":[{"group":"certificate-status","push":true,"email":true}]}""", System.Text.Encoding.UTF8, "application/json"));

        using var again = await OneClickAsync(url);

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(on.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain("sudah dipakai"));
            Assert.That(await EmailOnAsync(asesi), Is.True, "the person's later choice stands");
        });
    }

    [Test]
    public async Task A_forged_or_tampered_link_is_404_and_changes_nothing()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var url = UnsubscribeUrl(await EmailOfAsync(asesi, NotificationKinds.CertificateExpiring, "Tiruan"));
        var token = url[(url.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var tampered = url[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        var forged = $"{PublicWebUrl}/unsubscribe?token={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

        using var tamperedAnswer = await OneClickAsync(tampered);
        using var forgedAnswer = await OneClickAsync(forged);
        using var malformed = await OneClickAsync($"{PublicWebUrl}/unsubscribe?token=' OR 1=1 --");
        using var none = await OneClickAsync($"{PublicWebUrl}/unsubscribe");

        Assert.Multiple(async () =>
        {
            Assert.That(tamperedAnswer.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(forgedAnswer.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await forgedAnswer.Content.ReadAsStringAsync(), Does.Contain("tidak dikenal"));
            Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM notification_preferences WHERE user_id = @id", ("id", asesi.Id)), Is.Zero);
            Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM unsubscribe_links WHERE used_at IS NOT NULL AND user_id = @id", ("id", asesi.Id)), Is.Zero);
        });
    }

    [Test]
    public async Task An_expired_link_is_410_and_changes_nothing()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var url = UnsubscribeUrl(await EmailOfAsync(asesi, NotificationKinds.CertificateExpiring, "Kedaluwarsa"));
        await _api.ScalarAsync<int>("UPDATE unsubscribe_links SET expires_at = now() - interval '1 second' WHERE user_id = @id RETURNING 1", ("id", asesi.Id));

        using var refused = await OneClickAsync(url);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
        Assert.That(await EmailOnAsync(asesi), Is.True);
    }

    [Test]
    [Description("A link minted before its kind became mandatory (Situk:Notifications:MandatoryEmailKinds, or a kind moved): refused with 422, nothing changed.")]
    public async Task A_link_of_a_mandatory_kind_is_422_and_changes_nothing()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var url = UnsubscribeUrl(await EmailOfAsync(asesi, NotificationKinds.CertificateExpiring, "Menjadi wajib"));
        await _api.ScalarAsync<int>("UPDATE unsubscribe_links SET kind = 'verdict.competent' WHERE user_id = @id RETURNING 1", ("id", asesi.Id));

        using var refused = await OneClickAsync(url);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("Hasil asesmen"));
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM notification_preferences WHERE user_id = @id", ("id", asesi.Id)), Is.Zero);
    }

    [Test]
    public async Task A_post_without_the_one_click_body_is_400_and_changes_nothing()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        var url = UnsubscribeUrl(await EmailOfAsync(asesi, NotificationKinds.CertificateExpiring, "Tanpa badan"));

        using var empty = await _api.CreateClient().PostAsync(Local(url), null);
        using var wrong = await _api.CreateClient().PostAsync(Local(url), new FormUrlEncodedContent([new("List-Unsubscribe", "Yes")]));

        Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await EmailOnAsync(asesi), Is.True);
        Assert.That(await _api.ScalarAsync<long>("SELECT count(*) FROM unsubscribe_links WHERE used_at IS NOT NULL AND user_id = @id", ("id", asesi.Id)), Is.Zero);
    }

    /// <summary>Writes a notification of the kind and waits for its email at the real SMTP server.</summary>
    private async Task<MimeMessage> EmailOfAsync(TestUser user, string kind, string title)
    {
        await PreferenceWrites.WriteAsync(_api.ConnectionString, user.Id, kind, title);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            // Its link works once the relay committed, a moment after the server's 250.
            if (_smtp.Messages.FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == user.Email) && m.Subject != null
                    && (m.Subject == title || PulledSubject(kind, m.Subject))) is { } found
                && await _api.ScalarAsync<string>("SELECT state FROM email_outbox WHERE id = @id", ("id", long.Parse(found.Headers["X-Situk-Outbox-Id"]!, System.Globalization.CultureInfo.InvariantCulture))) == "sent")
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No email '{title}' reached {user.Email}.");
    }

    // A pulled kind's email carries neutral words, in the reader's language, instead of the title.
    private static bool PulledSubject(string kind, string subject) =>
        kind is NotificationKinds.VerdictCompetent or NotificationKinds.CertificateIssued
        && Situk.Api.Texts.TextCatalog.Languages.Any(l => subject == Situk.Api.Notifications.PullPolicy.NeutralTitle(Situk.Api.Texts.TextCatalog.Embedded, l, kind));

    private static string UnsubscribeUrl(MimeMessage message)
    {
        var header = message.Headers["List-Unsubscribe"];
        Assert.That(header, Does.StartWith("<").And.EndWith(">"), $"List-Unsubscribe of '{message.Subject}'");
        return header[1..^1];
    }

    /// <summary>The link's path and query on the test API (the public base is a name, not this server).</summary>
    private Uri Local(string url) => new(_api.BaseAddress, url[(PublicWebUrl.Length + 1)..]);

    private Task<HttpResponseMessage> OneClickAsync(string url) =>
        _api.CreateClient().PostAsync(Local(url), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

    private async Task<bool> EmailOnAsync(TestUser user) =>
        await _api.ScalarAsync<long>(
            "SELECT count(*) FROM notification_preferences WHERE user_id = @id AND kind_group = 'certificate-status' AND NOT email", ("id", user.Id)) == 0;
}

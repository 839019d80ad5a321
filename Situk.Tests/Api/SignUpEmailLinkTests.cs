using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Situk.Api.Accounts;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Api;

[Description("The sign-up email's link is absolute on Situk:PublicWebUrl and opens a page that confirms nothing by itself.")]
public sealed class SignUpEmailLinkTests
{
    private const string PublicWebUrl = "https://lsp.example/situk/";

    private SmtpSink _smtp = null!;
    private ApiFixture _api = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smtp = await SmtpSink.StartAsync();
        _api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Smtp:Host"] = _smtp.Host,
            ["Situk:Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Situk:PublicWebUrl"] = PublicWebUrl,
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _api.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Test]
    public async Task The_emailed_link_is_absolute_on_the_public_web_url_in_text_and_html_and_the_code_stays_in_the_text()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi, verified: false);

        var mail = await _smtp.MailToAsync(asesi.Email, AccountNotices.VerifySubject("id"));

        var token = VerificationLink.TokenIn(mail.TextBody ?? "");
        var link = $"{PublicWebUrl}verify-email#token={token}";
        Assert.Multiple(() =>
        {
            Assert.That(mail.TextBody, Does.Contain($"Konfirmasi email saya: {link}\n"));
            Assert.That(mail.TextBody, Does.Contain($"Kode Anda: {token}"));
            Assert.That(mail.HtmlBody, Does.Contain($"href=\"{link}\""));
            Assert.That(mail.HtmlBody, Does.Not.Contain("href=\"/"), "no site-relative link in the HTML part");
        });
    }

    [Test]
    public async Task Opening_the_link_serves_the_page_with_its_security_headers_and_confirms_nothing()
    {
        using var cts = Timeouts.Generous();
        var asesi = await _api.CreateUserAsync(Roles.Asesi, verified: false);
        var token = VerificationLink.TokenIn((await _smtp.MailToAsync(asesi.Email, AccountNotices.VerifySubject("id"))).TextBody ?? "");

        using var page = await _api.CreateClient().GetAsync("verify-email", cts.Token);
        using var script = await _api.CreateClient().GetAsync("verify/verify.js", cts.Token);

        foreach (var response in new[] { page, script })
        {
            var policy = PageHeaders.Policy(response);
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), response.RequestMessage!.RequestUri!.AbsolutePath);
                Assert.That(policy["default-src"], Is.EqualTo(new[] { "'self'" }));
                Assert.That(policy["connect-src"], Is.EqualTo(new[] { "'self'" }));
                Assert.That(policy["frame-ancestors"], Is.EqualTo(new[] { "'none'" }));
                Assert.That(policy.ContainsKey("script-src"), Is.False, "no inline script is allowed beyond default-src 'self'");
                Assert.That(PageHeaders.Single(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
                Assert.That(PageHeaders.Single(response, "Referrer-Policy"), Is.EqualTo("no-referrer"));
            });
        }

        var html = await page.Content.ReadAsStringAsync(cts.Token);
        Assert.That(html, Does.Contain("data-text=\"confirm\""), "the button's words come from verify-id.json / verify-en.json");
        Assert.That(html, Does.Not.Match("<script(?![^>]*\\ssrc=)"), "every script is a file of its own");
        Assert.That(await _api.ScalarAsync<bool>("SELECT email_verified_at IS NULL FROM users WHERE id = @id", ("id", asesi.Id)), Is.True, "a GET (a mail scanner) confirms nothing");
        Assert.That(await _api.ScalarAsync<bool>("SELECT bool_and(used_at IS NULL) FROM email_verifications WHERE user_id = @id", ("id", asesi.Id)), Is.True);
        using var confirmed = await _api.CreateClient().PostAsJsonAsync("api/v1/accounts/verify", new { token }, cts.Token);
        Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token still works after the page was fetched");
    }
}

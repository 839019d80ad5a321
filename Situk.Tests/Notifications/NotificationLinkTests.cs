using System.Net;
using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Support;

namespace Situk.Tests.Notifications;

[Description("A notification's link becomes an href in emails and device pages: only https:, http: and site-relative links are stored.")]
public sealed class NotificationLinkTests
{
    private ApiFixture _api = null!;
    private TestUser _asesi = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await ApiFixture.StartAsync();
        _asesi = await _api.CreateUserAsync(Roles.Asesi);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _api.DisposeAsync();

    [TestCase("javascript:alert(document.cookie)")]
    [TestCase("JaVaScRiPt:alert(1)")]
    [TestCase(" javascript:alert(1)")]
    [TestCase("java\tscript:alert(1)")]
    [TestCase("data:text/html,<script>alert(1)</script>")]
    [TestCase("vbscript:msgbox(1)")]
    [TestCase("file:///etc/passwd")]
    [TestCase("ftp://lsp.example/x")]
    [TestCase("//evil.example/registrations/5")]
    [TestCase("/\\evil.example")]
    [TestCase("/\t/evil.example")]
    [TestCase("https:")]
    [TestCase("https:///no-host")]
    [TestCase("registrations/5")]
    [TestCase("")]
    public async Task A_link_that_is_not_http_or_site_relative_is_400_naming_link_and_stores_nothing(string link)
    {
        var before = await _api.CountRowsAsync("notifications", "push_outbox", "email_outbox", "idempotency_keys");
        using var response = await SendAsync(link);

        await ProblemAssert.NamesFieldAsync(response, HttpStatusCode.BadRequest, "link");
        Assert.That(await _api.CountRowsAsync("notifications", "push_outbox", "email_outbox", "idempotency_keys"), Is.EqualTo(before));
    }

    [TestCase("/registrations/5")]
    [TestCase("/")]
    [TestCase("https://lsp.example/jadwal?id=7#top")]
    [TestCase("http://intranet.lsp.example/pengumuman")]
    public async Task An_https_http_or_site_relative_link_is_stored_as_sent(string link)
    {
        using var response = await SendAsync(link);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(
            await _api.ScalarAsync<string>("SELECT link FROM notifications WHERE user_id = @user ORDER BY id DESC LIMIT 1", ("user", _asesi.Id)),
            Is.EqualTo(link));
    }

    private Task<HttpResponseMessage> SendAsync(string link)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/notifications")
        {
            Content = JsonContent.Create(new { to = new { userIds = new[] { _asesi.Id } }, title = "Jadwal", body = "See the schedule.", link }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return _api.Admin.Client.SendAsync(request);
    }
}

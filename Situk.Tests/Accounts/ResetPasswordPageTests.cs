using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Situk.Api.Accounts;
using Situk.Contracts;
using Situk.Tests.Hostile;
using Situk.Tests.Support;

namespace Situk.Tests.Accounts;

[Category("Browser")]
[Description("The link in the password-reset email, opened in a real Chromium: the page changes the password only when its button is pressed, once.")]
public sealed partial class ResetPasswordPageTests
{
    private readonly LogCapture _logs = new();
    private SmtpSink _smtp = null!;
    private ApiFixture _api = null!;
    private SystemBrowser _browser = null!;
    private string _publicWebUrl = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // The email's link must open this API, so Situk:PublicWebUrl names the port the API then listens on.
        var port = FreeLoopbackPort();
        _publicWebUrl = $"http://127.0.0.1:{port}/";
        _smtp = await SmtpSink.StartAsync();
        _api = await ApiFixture.StartAsync(
            new Dictionary<string, string?>
            {
                ["Situk:Smtp:Host"] = _smtp.Host,
                ["Situk:Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture),
                ["Situk:PublicWebUrl"] = _publicWebUrl,
                ["Situk:Accounts:EmailInterval"] = "00:00:00",
                // Every line the API could write, request lines included, to show the token is in none.
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            },
            builder =>
            {
                builder.WebHost.UseUrls(_publicWebUrl.TrimEnd('/'));
                builder.Logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace);
            });
        _browser = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _browser.DisposeAsync();
        await _api.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Test]
    public async Task The_emailed_link_sets_the_new_password_when_the_button_is_pressed_and_a_reused_link_is_refused()
    {
        var asesi = await _api.CreateUserAsync(Roles.Asesi);
        using var requested = await _api.CreateClient().PostAsJsonAsync("api/v1/accounts/password-reset", new { email = asesi.Email });
        var mail = await _smtp.MailToAsync(asesi.Email, AccountNotices.ResetSubject("id"));
        var link = EmailedLink().Match(mail.TextBody ?? "").Value;
        Assert.That(link, Does.StartWith(_publicWebUrl + "reset-password#token="), mail.TextBody);
        Assert.That(mail.HtmlBody, Does.Contain($"href=\"{link}\""));
        var token = ResetLink.TokenIn(link);
        var before = await HashAsync(asesi.Id);

        await using var context = await _browser.NewContextAsync(new() { Locale = "en-US" });
        var requests = new List<IRequest>();
        context.Request += (_, request) => requests.Add(request);
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Save password" });
        await Assertions.Expect(button).ToBeEnabledAsync();
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(before), "opening the link (as a mail scanner does) changes nothing");

        await page.Locator("#password").FillAsync("chosen-in-browser-1");
        await page.Locator("#again").FillAsync("chosen-in-browser-2");
        await button.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("two passwords differ");
        Assert.That(await HashAsync(asesi.Id), Is.EqualTo(before), "nothing is sent while the two differ");

        await page.Locator("#again").FillAsync("chosen-in-browser-1");
        await button.ClickAsync();
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("new password is saved");
        using var signIn = await _api.CreateClient().PostAsJsonAsync("api/v1/auth/token", new { email = asesi.Email, password = "chosen-in-browser-1" });
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await Chromium.ScreenshotAsync(page, "reset-password.png");

        var again = await context.NewPageAsync();
        await again.GotoAsync(link);
        await again.Locator("#password").FillAsync("another-password-2");
        await again.Locator("#again").FillAsync("another-password-2");
        await again.GetByRole(AriaRole.Button, new() { Name = "Save password" }).ClickAsync();
        await Assertions.Expect(again.GetByRole(AriaRole.Alert)).ToContainTextAsync("already used");
        await Assertions.Expect(again.GetByRole(AriaRole.Button, new() { Name = "Save password" })).ToBeDisabledAsync();

        Assert.That(requests.Select(r => r.Url), Has.Some.EndsWith("/reset/reset.js").And.Some.EndsWith("/api/v1/accounts/password-reset/confirm"));
        Assert.That(_logs.Lines.Where(l => l.Contains(token, StringComparison.Ordinal)), Is.Empty, "the token is in no log line");
        foreach (var request in requests)
        {
            var headers = await request.AllHeadersAsync();
            Assert.That(headers.GetValueOrDefault("referer") ?? "", Does.Not.Contain(token), $"{request.Method} {request.Url} carried the token in its Referer");
        }
    }

    [Test]
    public async Task The_page_and_its_script_carry_the_embedded_pages_security_headers()
    {
        using var page = await _api.CreateClient().GetAsync("reset-password");
        using var script = await _api.CreateClient().GetAsync("reset/reset.js");

        foreach (var response in new[] { page, script })
        {
            var policy = PageHeaders.Policy(response);
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), response.RequestMessage!.RequestUri!.AbsolutePath);
                Assert.That(policy["default-src"], Is.EqualTo(new[] { "'self'" }));
                Assert.That(policy["form-action"], Is.EqualTo(new[] { "'none'" }));
                Assert.That(policy["frame-ancestors"], Is.EqualTo(new[] { "'none'" }));
                Assert.That(PageHeaders.Single(response, "Referrer-Policy"), Is.EqualTo("no-referrer"));
                Assert.That(PageHeaders.Single(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
            });
        }

        Assert.That(await page.Content.ReadAsStringAsync(), Does.Not.Match("<script(?![^>]*\\ssrc=)"), "every script is a file of its own");
    }

    [Test]
    public async Task A_link_with_no_token_says_so_and_offers_no_button()
    {
        await using var context = await _browser.NewContextAsync(new() { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_publicWebUrl + "reset-password");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Copy the whole link");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save password" })).ToBeDisabledAsync();
    }

    private Task<string> HashAsync(long id) => _api.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", id));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"https?://\S+/reset-password#token=[A-Za-z0-9_-]+")]
    private static partial Regex EmailedLink();
}

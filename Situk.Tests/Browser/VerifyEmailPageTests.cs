using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Situk.Api.Accounts;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Hostile;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("The link in the sign-up email, opened in a real Chromium: the page confirms only when its button is pressed, once.")]
public sealed partial class VerifyEmailPageTests
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
    public async Task The_emailed_link_confirms_only_when_the_button_is_pressed_and_a_reused_link_is_refused()
    {
        var scenario = new Scenario(_api);
        var schedule = await scenario.CreateScheduleAsync((await scenario.CreateSchemeAsync()).Id);
        var asesi = await _api.CreateUserAsync(Roles.Asesi, verified: false);
        var mail = await _smtp.MailToAsync(asesi.Email, AccountNotices.VerifySubject("id"));
        var link = EmailedLink().Match(mail.TextBody ?? "").Value;
        Assert.That(link, Does.StartWith(_publicWebUrl + "verify-email#token="), mail.TextBody);
        var token = VerificationLink.TokenIn(link);

        await using var context = await _browser.NewContextAsync(new() { Locale = "id-ID" });
        var requests = new List<IRequest>();
        context.Request += (_, request) => requests.Add(request);
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Konfirmasi email saya" });
        await Assertions.Expect(button).ToBeEnabledAsync();

        Assert.That(await VerifiedAsync(asesi.Id), Is.False, "opening the link (as a mail scanner does) confirms nothing");
        Assert.That((await Scenario.RegisterAsync(asesi, schedule)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        await button.ClickAsync();
        await Assertions.Expect(page.Locator("#result")).ToContainTextAsync("sudah dikonfirmasi");
        Assert.That(await VerifiedAsync(asesi.Id), Is.True);
        Assert.That((await Scenario.RegisterAsync(asesi, schedule)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await Chromium.ScreenshotAsync(page, "verify-email.png");

        var again = await context.NewPageAsync();
        await again.GotoAsync(link);
        await again.GetByRole(AriaRole.Button, new() { Name = "Konfirmasi email saya" }).ClickAsync();
        await Assertions.Expect(again.GetByRole(AriaRole.Alert)).ToContainTextAsync("sudah pernah dipakai");
        await Assertions.Expect(again.GetByRole(AriaRole.Button, new() { Name = "Konfirmasi email saya" })).ToBeDisabledAsync();

        Assert.That(requests.Select(r => r.Url), Has.Some.EndsWith("/verify/verify.js").And.Some.EndsWith("/api/v1/accounts/verify"));
        Assert.That(_logs.Lines, Has.Some.Contains("/verify-email"), "the page's request lines were logged");
        Assert.That(_logs.Lines.Where(l => l.Contains(token, StringComparison.Ordinal)), Is.Empty, "the token is in no log line");
        foreach (var request in requests)
        {
            var headers = await request.AllHeadersAsync();
            Assert.That(headers.GetValueOrDefault("referer") ?? "", Does.Not.Contain(token), $"{request.Method} {request.Url} carried the token in its Referer");
        }
    }

    [Test]
    public async Task A_link_with_no_token_says_so_and_offers_no_button()
    {
        await using var context = await _browser.NewContextAsync(new() { Locale = "id-ID" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_publicWebUrl + "verify-email");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Salin seluruh tautan");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Konfirmasi email saya" })).ToBeDisabledAsync();
    }

    private Task<bool> VerifiedAsync(long userId) =>
        _api.ScalarAsync<bool>("SELECT email_verified_at IS NOT NULL FROM users WHERE id = @id", ("id", userId));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"https?://\S+/verify-email#token=[A-Za-z0-9_-]+")]
    private static partial Regex EmailedLink();
}

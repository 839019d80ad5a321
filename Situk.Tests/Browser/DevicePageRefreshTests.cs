using System.Text.Json;
using Microsoft.Playwright;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("The device page in Chromium with access tokens living 15 s: situk.js refreshes and keeps one socket open past many tokens; signing out, here or elsewhere, ends the sign-in and shows the sign-in form.")]
public sealed class DevicePageRefreshTests
{
    private SystemFixture _system = null!;
    private SystemBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _system = await SystemFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Jwt:Lifetime"] = "00:00:15" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _system.PointDevicePageAtApiAsync(timeout.Token);
        _browser = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }

    [Test]
    public async Task The_page_refreshes_its_token_and_keeps_one_socket_past_the_first_tokens_expiry()
    {
        // Two refreshes of a 15 s token take about 25 s. The page refreshes at 75-85% of the token's life, so a
        // 15 s token leaves it 2-4 s for the refresh call; with 6 s tokens a refresh slower than 1 s on a busy
        // machine let the broker close with 4001 and the page rightly reconnected on a new socket.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        var userId = asesi.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await DevicePageSteps.SignInAsync(page, _system, asesi);
        await Assertions.Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "open");
        var firstExpiry = (await StoredSignInAsync(page)).GetProperty("expiresAt").GetDateTimeOffset();
        var session = (await _system.Broker.SessionsAsync(userId, cts.Token)).Single().SessionId;

        // Two refreshes (three tokens in the family) and past the first token's expiry.
        await AdminCalls.EventuallyAsync(
            async () => DateTimeOffset.UtcNow > firstExpiry.AddSeconds(1)
                && await _system.Api.ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE user_id = @u", ("u", asesi.Id)) >= 3,
            cts.Token);
        Assert.That(await _system.Broker.PublishAsync(Audience.Users(userId), "Masih tersambung", cts.Token), Is.EqualTo(1));

        await Assertions.Expect(page.Locator("li.item .title")).ToHaveTextAsync("Masih tersambung");
        Assert.That((await _system.Broker.SessionsAsync(userId, cts.Token)).Select(s => s.SessionId), Is.EqualTo(new[] { session }), "the same socket all along");
        Assert.That((await StoredSignInAsync(page)).GetProperty("expiresAt").GetDateTimeOffset(), Is.GreaterThan(firstExpiry), "the refreshed sign-in is what a reload would use");
    }

    [Test]
    public async Task Signing_out_on_the_page_ends_the_sign_in_and_closes_its_socket()
    {
        using var cts = Timeouts.Generous();
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        var userId = asesi.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await DevicePageSteps.SignInAsync(page, _system, asesi);
        await Assertions.Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "open");

        await page.Locator("#sign-out").ClickAsync();

        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await AdminCalls.EventuallyAsync(async () => (await _system.Broker.SessionsAsync(userId, cts.Token)).Length == 0, cts.Token);
        Assert.That(await _system.Api.ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE user_id = @u AND revoked_at IS NULL", ("u", asesi.Id)), Is.Zero);
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('situk.session')"), Is.Null);
    }

    [Test]
    [Description("The sign-in is ended from elsewhere (sign-out through the API with the page's token): the broker closes with 4004 and the page says signed out instead of reconnecting.")]
    public async Task A_sign_in_ended_elsewhere_shows_signed_out_on_the_page()
    {
        using var cts = Timeouts.Generous();
        var asesi = await _system.Api.CreateUserAsync(Roles.Asesi);
        await using var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await DevicePageSteps.SignInAsync(page, _system, asesi);
        await Assertions.Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "open");
        var token = (await StoredSignInAsync(page)).GetProperty("accessToken").GetString()!;

        using var response = await _system.Api.CreateClient(token).PostAsync("api/v1/auth/sign-out", null, cts.Token);
        response.EnsureSuccessStatusCode();

        await Assertions.Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "signedout");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync("Sesi Anda telah berakhir");
    }

    private static async Task<JsonElement> StoredSignInAsync(IPage page) =>
        JsonDocument.Parse(await page.EvaluateAsync<string>("sessionStorage.getItem('situk.session')")).RootElement.Clone();
}

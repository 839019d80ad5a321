using System.Net.Http.Json;
using Microsoft.Playwright;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("The admin dashboard in a real Chromium: sessions through the API, a send form, the chart and the recent list; phone-sized too.")]
public sealed class AdminDashboardTests : SystemInChromium
{
    [Test]
    public async Task An_admin_sees_a_devices_session_sends_to_a_role_and_sees_it_delivered()
    {
        using var cts = Timeouts.Generous();
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        using var device = await Stack.ConnectDeviceAsync(asesi, cts.Token);
        await using var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1100 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page);

        var session = page.Locator("#sessions tbody tr").Filter(new() { HasText = asesi.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await Assertions.Expect(session).ToHaveCountAsync(1);
        await Assertions.Expect(session).ToContainTextAsync(DeviceClasses.Android);

        await page.GetByLabel("a role").CheckAsync();
        await page.GetByLabel("Which role").SelectOptionAsync(Roles.Asesi);
        await page.GetByLabel("Title").FillAsync("Pengumuman");
        await page.GetByLabel("Body").FillAsync("Ujian dimulai pukul 08.00.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var asesiCount = await Stack.Api.ScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'asesi'");
        await Assertions.Expect(page.Locator("#send-result")).ToHaveTextAsync($"Stored for {asesiCount} recipient(s); pushing now.");

        var n = await device.ReceiveNotificationAsync(cts.Token);
        await device.SendFrameAsync(new AckFrame([n.Id]), cts.Token);
        await Assertions.Expect(page.Locator($"#recent tbody tr[data-id='{n.Id}']")).ToHaveAttributeAsync("data-delivered", "yes", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#chart path.p50")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Chromium.ScreenshotAsync(page, "dashboard.png");
    }

    [Test]
    public async Task The_dashboard_shows_the_device_pages_session_and_what_it_received()
    {
        using var cts = Timeouts.Generous();
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await using var deviceContext = await Browser.NewContextAsync();
        var devicePage = await deviceContext.NewPageAsync();
        await DevicePageSteps.SignInAsync(devicePage, Stack, asesi);
        await Assertions.Expect(devicePage.Locator("#state")).ToHaveAttributeAsync("data-state", "open");
        using var sent = await Stack.Api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { asesi.Id } }, title = "Untuk halaman", body = "For the page." }, cts.Token);
        await Assertions.Expect(devicePage.Locator("li.item")).ToHaveCountAsync(1);
        var id = await Stack.Api.ScalarAsync<long>("SELECT max(id) FROM notifications WHERE user_id = @id", ("id", asesi.Id));

        await using var adminContext = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1100 } });
        var dashboard = await adminContext.NewPageAsync();
        await SignInAsync(dashboard);

        var session = dashboard.Locator("#sessions tbody tr").Filter(new() { HasText = asesi.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await Assertions.Expect(session).ToContainTextAsync(DeviceClasses.Web);
        var delivered = dashboard.Locator($"#recent tbody tr[data-id='{id}']");
        await Assertions.Expect(delivered).ToHaveAttributeAsync("data-delivered", "yes", new() { Timeout = 15_000 });
        await Assertions.Expect(delivered).ToContainTextAsync("web");
    }

    [Test]
    public async Task A_non_admin_is_refused_with_a_message()
    {
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await using var context = await Browser.NewContextAsync(new() { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Stack.Api.BaseAddress, "admin").ToString());
        await page.GetByLabel("Email").FillAsync(asesi.Email);
        await page.GetByLabel("Password").FillAsync(asesi.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not an admin");
        await Assertions.Expect(page.Locator("#dashboard")).ToBeHiddenAsync();
    }

    [Test]
    public async Task The_dashboard_fits_a_phone()
    {
        await using var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 360, Height = 740 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page);
        await Assertions.Expect(page.Locator("#stats dd").First).ToBeVisibleAsync();
        // On failure, name what sticks out (tables scroll inside their own box and may).
        var wide = await page.EvaluateAsync<string>("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.scroll')).map(e => e.tagName + '#' + e.id + ':' + Math.round(e.getBoundingClientRect().right)).slice(0, 12).join(' ')");
        Assert.That(await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(360), wide);
    }

    // The admin reads English here (the words below are the English ones); PageLanguageTests covers Indonesian.
    private async Task SignInAsync(IPage page)
    {
        using var english = await Stack.Api.Admin.Client.PatchAsJsonAsync("api/v1/me", new { language = "en" });
        english.EnsureSuccessStatusCode();
        await page.GotoAsync(new Uri(Stack.Api.BaseAddress, "admin").ToString());
        await page.Locator("#email").FillAsync(ApiFixture.AdminEmail);
        await page.Locator("#password").FillAsync(ApiFixture.AdminPassword);
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sign-in")).ToBeHiddenAsync();
    }
}

using System.Net.Http.Json;
using Microsoft.Playwright;
using Situk.Contracts;
using Situk.Tests.Support;
using Situk.Tests.Timeline;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("The admin dashboard in a real Chromium opens a verdict's delivery timeline from the recent list, and says so when an id is unknown.")]
public sealed class DashboardTimelineTests : SystemInChromium
{
    [Test]
    public async Task Clicking_a_notification_shows_its_timeline()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var verdict = await VerdictDelivery.RunAsync(Stack, cts.Token);
        using var device = verdict.Device;
        await using var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1100 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delivery timeline of notification {verdict.VerdictId}" }).ClickAsync();
        await Assertions.Expect(page.Locator("#timeline-summary")).ToContainTextAsync($"Notification {verdict.VerdictId} ({NotificationKinds.VerdictCompetent})");
        var steps = page.Locator("#timeline li");
        await Assertions.Expect(steps.First).ToHaveAttributeAsync("data-step", TimelineSteps.Committed);
        await Assertions.Expect(page.Locator($"#timeline li[data-step='{TimelineSteps.Forwarded}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"#timeline li[data-step='{TimelineSteps.Written}']")).ToContainTextAsync(DeviceClasses.Android);
        await Assertions.Expect(page.Locator($"#timeline li[data-step='{TimelineSteps.Acked}']")).ToContainTextAsync(DeviceClasses.Android);
        await Assertions.Expect(page.Locator($"#timeline li[data-step='{TimelineSteps.Emailed}']")).ToContainTextAsync("reason always");
        await Chromium.ScreenshotAsync(page, "dashboard-timeline.png");
    }

    [Test]
    public async Task An_unknown_id_is_reported_not_shown()
    {
        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page);

        await page.GetByLabel("Notification id").FillAsync("987654321");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show timeline" }).ClickAsync();
        await Assertions.Expect(page.Locator("#timeline-error")).ToHaveTextAsync("Notification 987654321 was not found.");
        await Assertions.Expect(page.Locator("#timeline li")).ToHaveCountAsync(0);
    }

    [Test]
    [Description("The page shows the API's own detail, in the page's language: the admin's stored Indonesian, not the browser's English.")]
    public async Task An_unknown_id_is_reported_in_the_admins_language()
    {
        await using var context = await Browser.NewContextAsync(new() { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await SignInAsync(page, "id");

        await page.GetByLabel("Id notifikasi").FillAsync("987654321");
        await page.GetByRole(AriaRole.Button, new() { Name = "Tampilkan riwayat" }).ClickAsync();
        await Assertions.Expect(page.Locator("#timeline-error")).ToHaveTextAsync("Notifikasi 987654321 tidak ditemukan.");
    }

    // The admin reads English here unless a test says otherwise (the words above are the English ones); PageLanguageTests covers Indonesian.
    private async Task SignInAsync(IPage page, string language = "en")
    {
        using var english = await Stack.Api.Admin.Client.PatchAsJsonAsync("api/v1/me", new { language });
        english.EnsureSuccessStatusCode();
        await page.GotoAsync(new Uri(Stack.Api.BaseAddress, "admin").ToString());
        await page.Locator("#email").FillAsync(ApiFixture.AdminEmail);
        await page.Locator("#password").FillAsync(ApiFixture.AdminPassword);
        await page.Locator("#sign-in button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#dashboard")).ToBeVisibleAsync();
    }
}

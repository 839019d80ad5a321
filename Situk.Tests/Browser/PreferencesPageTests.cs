using System.Net.Http.Json;
using Microsoft.Playwright;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("Notification settings on both pages in a real Chromium: a switch flipped on the page is stored by the API, a mandatory email cannot be switched off, and the device page's settings fit a phone.")]
public sealed class PreferencesPageTests : SystemInChromium
{
    [Test]
    public async Task On_the_device_page_at_phone_width_an_asesi_switches_push_off_and_it_is_stored()
    {
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await using var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 360, Height = 740 } });
        var page = await context.NewPageAsync();
        await DevicePageSteps.SignInAsync(page, Stack, asesi);

        await page.GetByText("Pengaturan notifikasi").ClickAsync();
        var push = page.GetByLabel("Notifikasi perangkat: Persiapan asesmen");
        await Assertions.Expect(push).ToBeCheckedAsync();
        await push.UncheckAsync();
        await Assertions.Expect(page.Locator(".preferences-status")).ToHaveTextAsync("Tersimpan.");

        Assert.That(await StoredAsync(asesi.Id, "preparation"), Is.EqualTo("push off, email on"));
        await Assertions.Expect(page.GetByLabel("Email: Hasil asesmen")).ToBeDisabledAsync();
        await Assertions.Expect(page.GetByLabel("Email: Hasil asesmen")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Notifikasi perangkat: Persiapan asesmen")).Not.ToBeCheckedAsync();
        var wide = await page.EvaluateAsync<string>("[...document.querySelectorAll('#preferences *')].filter(e => e.getBoundingClientRect().right > 361).map(e => e.tagName + ':' + Math.round(e.getBoundingClientRect().right)).slice(0, 12).join(' ')");
        Assert.That(await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(360), wide);
        await page.Locator("#preferences").ScrollIntoViewIfNeededAsync();
        await Chromium.ScreenshotAsync(page, "preferences-device.png");
    }

    [Test]
    public async Task After_a_reload_the_device_page_shows_what_is_stored()
    {
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await DevicePageSteps.SignInAsync(page, Stack, asesi);
        await page.GetByText("Pengaturan notifikasi").ClickAsync();
        await page.GetByLabel("Email: Dokumen ditolak").UncheckAsync();
        await Assertions.Expect(page.Locator(".preferences-status")).ToHaveTextAsync("Tersimpan.");

        await page.ReloadAsync();
        await page.GetByText("Pengaturan notifikasi").ClickAsync();

        await Assertions.Expect(page.GetByLabel("Email: Dokumen ditolak")).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Notifikasi perangkat: Dokumen ditolak")).ToBeCheckedAsync();
        Assert.That(await StoredAsync(asesi.Id, "documents"), Is.EqualTo("push on, email off"));
    }

    [Test]
    public async Task On_the_admin_dashboard_in_Bahasa_Indonesia_an_admin_switches_email_off_and_it_is_stored()
    {
        await using var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await SignInToDashboardAsync(context, "id");

        await page.GetByText("Pengaturan notifikasi").ClickAsync();
        await page.GetByLabel("Email: Pesan dari admin").UncheckAsync();
        await Assertions.Expect(page.Locator(".preferences-status")).ToHaveTextAsync("Tersimpan.");

        Assert.That(await StoredAsync(Stack.Api.Admin.Id, "messages"), Is.EqualTo("push on, email off"));
        await Assertions.Expect(page.GetByLabel("Email: Pendaftaran diterima")).ToBeDisabledAsync();
        await page.Locator("#preferences").ScrollIntoViewIfNeededAsync();
        await page.Locator("#preferences").ScreenshotAsync(new() { Path = ScreenshotPath("preferences-dashboard.png") });
    }

    [Test]
    public async Task The_dashboard_speaks_english_when_its_page_does()
    {
        await using var context = await Browser.NewContextAsync();
        var page = await SignInToDashboardAsync(context, "en");

        await page.GetByText("Notification settings").ClickAsync();

        await Assertions.Expect(page.GetByLabel("Device notification: Registration received")).ToBeVisibleAsync();
    }

    /// <summary>Signs the admin in on the dashboard, which follows the admin's stored language, set to <paramref name="language"/> first.</summary>
    private async Task<IPage> SignInToDashboardAsync(IBrowserContext context, string language)
    {
        using (var set = await Stack.Api.Admin.Client.PatchAsJsonAsync("api/v1/me", new { language }))
        {
            set.EnsureSuccessStatusCode();
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Stack.Api.BaseAddress, "admin").ToString());
        await page.GetByLabel("Email").FillAsync(ApiFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync(ApiFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        return page;
    }

    private Task<string> StoredAsync(long userId, string group) =>
        Stack.Api.ScalarAsync<string>(
            """
            SELECT CASE WHEN push THEN 'push on' ELSE 'push off' END || ', ' || CASE WHEN email THEN 'email on' ELSE 'email off' END
            FROM notification_preferences WHERE user_id = @id AND kind_group = @group
            """,
            ("id", userId), ("group", group));

    private static string ScreenshotPath(string name)
    {
        var folder = Path.Combine(RepoPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}

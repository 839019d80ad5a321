using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("The device page and the dashboard in a real Chromium speak the signed-in user's language and write times in their zone; the settings control changes both at once and stores them (PATCH /me). Every word key on every page resolves in both languages.")]
public sealed class PageLanguageTests : SystemInChromium
{
    // 06:12 UTC: 13.12 in Jakarta (WIB, +7), 14.12 in Makassar (WITA, +8).
    private static readonly DateTimeOffset KnownMoment = new(2026, 11, 28, 6, 12, 11, TimeSpan.Zero);

    [Test]
    public async Task The_device_page_speaks_the_users_language_and_zone_and_switches_both_at_once()
    {
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await NotificationAtKnownMomentAsync(asesi.Id, "Jadwal asesmen");
        // The browser prefers English: before sign-in the page follows it, after sign-in the user's Indonesian.
        await using var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, Locale = "en-US" });
        var page = await context.NewPageAsync();
        var missing = MissingWords(page);
        await page.GotoAsync(Stack.Broker.DeviceHttp.ToString());
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.Locator("#sign-in-title")).ToHaveTextAsync("Sign in");

        await DevicePageSteps.SignInAsync(page, Stack, asesi);
        var item = page.Locator("li.item").Filter(new() { HasText = "Jadwal asesmen" });
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "id");
        await Assertions.Expect(item.Locator(".time")).ToHaveTextAsync("28/11/2026 13.12 WIB");
        await Assertions.Expect(item.Locator(".status")).ToHaveTextAsync("Diterima, belum dibaca");
        await Assertions.Expect(item.GetByRole(AriaRole.Button, new() { Name = "Tandai sudah dibaca" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "open");
        await Assertions.Expect(page.Locator("#state-text")).ToHaveTextAsync("Tersambung");
        await page.Locator("#settings summary").ClickAsync();
        await Assertions.Expect(page.GetByLabel("Zona waktu", new() { Exact = true })).ToHaveValueAsync("Asia/Jakarta");
        await Chromium.ScreenshotAsync(page, "device-page-id.png");

        await page.GetByLabel("Bahasa", new() { Exact = true }).SelectOptionAsync("en");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(item.Locator(".time")).ToHaveTextAsync("28/11/2026, 13:12 WIB");
        await Assertions.Expect(item.GetByRole(AriaRole.Button, new() { Name = "Mark as read" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#state-text")).ToHaveTextAsync("Connected");
        await page.GetByLabel("Time zone", new() { Exact = true }).SelectOptionAsync("Asia/Makassar");
        await Assertions.Expect(item.Locator(".time")).ToHaveTextAsync("28/11/2026, 14:12 WITA");

        await AssertStoredAsync(asesi.Client, "en", "Asia/Makassar");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("li.item").Filter(new() { HasText = "Jadwal asesmen" }).Locator(".time")).ToHaveTextAsync("28/11/2026, 14:12 WITA");
        Assert.That(missing, Is.Empty, "words the page asked for that its files do not have");
    }

    [Test]
    public async Task The_dashboard_speaks_the_admins_language_and_zone_and_switches_both_at_once()
    {
        var admin = await Stack.Api.CreateUserAsync(Roles.Admin);
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        var id = await NotificationAtKnownMomentAsync(asesi.Id, "Pengumuman ujian");
        await using var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1100 }, Locale = "en-US" });
        var page = await context.NewPageAsync();
        var missing = MissingWords(page);
        await page.GotoAsync(new Uri(Stack.Api.BaseAddress, "admin").ToString());
        await Assertions.Expect(page.Locator("#sign-in-title")).ToHaveTextAsync("Admin sign-in");
        await page.Locator("#email").FillAsync(admin.Email);
        await page.Locator("#password").FillAsync(admin.Password);
        await page.Locator("#sign-in button[type=submit]").ClickAsync();

        var created = page.Locator($"#recent tbody tr[data-id='{id}'] td").Nth(4);
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "id");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Admin Situk");
        await Assertions.Expect(page.Locator("#send-title")).ToHaveTextAsync("Kirim notifikasi");
        await Assertions.Expect(created).ToHaveTextAsync("28/11/2026 13.12 WIB");
        await Assertions.Expect(page.Locator("#stats dt").First).ToHaveTextAsync("Koneksi");
        await page.Locator("#settings summary").ClickAsync();
        await Chromium.ScreenshotAsync(page, "dashboard-id.png");

        await page.GetByLabel("Bahasa", new() { Exact = true }).SelectOptionAsync("en");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Situk admin");
        await Assertions.Expect(page.Locator("#stats dt").First).ToHaveTextAsync("Connections");
        await Assertions.Expect(created).ToHaveTextAsync("28/11/2026, 13:12 WIB");
        await page.GetByLabel("Time zone", new() { Exact = true }).SelectOptionAsync("Asia/Makassar");
        await Assertions.Expect(created).ToHaveTextAsync("28/11/2026, 14:12 WITA");

        await AssertStoredAsync(admin.Client, "en", "Asia/Makassar");
        Assert.That(missing, Is.Empty, "words the page asked for that its files do not have");
    }

    [Test]
    [Description("Every data-text key in each page's markup (templates included) and every key its scripts name is in both its Indonesian and its English words; the two files of each page hold the same keys.")]
    public async Task Every_word_key_on_every_page_resolves_in_both_languages()
    {
        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var pages = new (string Url, string Words)[]
        {
            (Stack.Broker.DeviceHttp.ToString(), "Situk.Broker/wwwroot/device"),
            (new Uri(Stack.Api.BaseAddress, "admin").ToString(), "Situk.Api/wwwroot/admin/dashboard"),
            (new Uri(Stack.Api.BaseAddress, "verify-email").ToString(), "Situk.Api/wwwroot/verify/verify"),
            (new Uri(Stack.Api.BaseAddress, "reset-password").ToString(), "Situk.Api/wwwroot/reset/reset"),
        };
        foreach (var (url, words) in pages)
        {
            await page.GotoAsync(url);
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-text]')].every(e => e.textContent.trim() !== '')");
            var used = (await page.EvaluateAsync<string[]>(MarkupKeysScript)).Concat(PageWords.ScriptKeys(words)).ToHashSet(StringComparer.Ordinal);
            Assert.That(used, Is.Not.Empty, url);
            foreach (var language in PageWords.Languages)
            {
                var known = PageWords.Load(words, language);
                Assert.That(used.Where(k => !known.ContainsKey(k)), Is.Empty, $"{url}: keys missing in {language}");
            }

            Assert.That(PageWords.Load(words, "en").Keys.Order(), Is.EqualTo(PageWords.Load(words, "id").Keys.Order()), $"{words}: the same keys in id and en");
        }
    }

    private const string MarkupKeysScript = """
        () => {
          const keys = new Set();
          const visit = (root) => {
            for (const e of root.querySelectorAll("[data-text], [data-text-aria-label], [data-text-placeholder]")) {
              for (const name of ["text", "textAriaLabel", "textPlaceholder"]) if (e.dataset[name]) keys.add(e.dataset[name]);
            }
            for (const t of root.querySelectorAll("template")) visit(t.content);
          };
          visit(document);
          return [...keys];
        }
        """;

    // A key the page asks for and its words lack is written as the key and logged by pagetext.js.
    private static List<string> MissingWords(IPage page)
    {
        var missing = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.StartsWith("pagetext: no", StringComparison.Ordinal))
            {
                lock (missing)
                {
                    missing.Add(message.Text);
                }
            }
        };
        return missing;
    }

    // An admin message to the user whose stored commit time is KnownMoment, before any device of theirs is online.
    private async Task<long> NotificationAtKnownMomentAsync(long userId, string title)
    {
        using var sent = await Stack.Api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { userId } }, title, body = "Silakan periksa jadwal Anda." });
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return await Stack.Api.ScalarAsync<long>(
            "UPDATE notifications SET created_at = @at WHERE id = (SELECT max(id) FROM notifications WHERE user_id = @user) RETURNING id",
            ("at", KnownMoment), ("user", userId));
    }

    private static async Task AssertStoredAsync(HttpClient client, string language, string timeZone)
    {
        using var me = JsonDocument.Parse(await client.GetStringAsync("api/v1/me"));
        Assert.Multiple(() =>
        {
            Assert.That(me.RootElement.GetProperty("language").GetString(), Is.EqualTo(language));
            Assert.That(me.RootElement.GetProperty("timeZone").GetString(), Is.EqualTo(timeZone));
        });
    }
}

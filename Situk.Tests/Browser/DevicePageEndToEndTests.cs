using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Situk.Api.Registrations;
using Situk.Contracts;
using Situk.Tests.Api;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("The device page in a real Chromium against the whole system: a verdict appears live and is acked; after a broker restart the page reconnects by itself and shows what was sent meanwhile, once.")]
public sealed class DevicePageEndToEndTests : SystemInChromium
{
    [Test]
    public async Task A_verdict_shows_on_the_page_and_survives_a_broker_restart()
    {
        using var cts = Timeouts.Generous();
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await DevicePageSteps.SignInAsync(page, Stack, asesi);
        await Assertions.Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "open");

        // A verdict through REST appears on the page and is acked from the web device.
        var c = await new Scenario(Stack.Api).CaseAtAsync(RegistrationStatus.Scheduled, asesi: asesi);
        await c.Asesor.Client.PutAsJsonAsync($"{c.Path}/records", Scenario.Records(c), cts.Token);
        var verdict = await c.Asesor.Client.PostAsJsonAsync($"{c.Path}/verdict", new { competent = true }, cts.Token);
        Assert.That(verdict.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await Assertions.Expect(page.Locator($"li[data-kind='{NotificationKinds.VerdictCompetent}']")).ToHaveCountAsync(1);

        // The socket carried a neutral pull notice; situk.js fetched the verdict's own words over REST.
        await Assertions.Expect(page.Locator($"li[data-kind='{NotificationKinds.VerdictCompetent}'] .title")).ToHaveTextAsync("Dinyatakan kompeten");
        var verdictId = await Stack.Api.ScalarAsync<long>(
            "SELECT id FROM notifications WHERE user_id = @id AND kind = @kind", ("id", asesi.Id), ("kind", NotificationKinds.VerdictCompetent));
        await WaitUntilAsync(async () => await Stack.Api.ScalarAsync<string?>(
            "SELECT delivered_device_class FROM notifications WHERE id = @id", ("id", verdictId)) == DeviceClasses.Web, cts.Token);

        // The broker goes away; what is sent meanwhile is shown once after the page reconnects by itself.
        await Stack.Broker.StopAsync(cts.Token);
        await Assertions.Expect(page.Locator("#state")).Not.ToHaveAttributeAsync("data-state", "open");
        var sent = await Stack.Api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { asesi.Id } }, title = "Jadwal berubah", body = "Sent while the broker was down." }, cts.Token);
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        await Stack.RestartBrokerAsync(cts.Token);

        await Assertions.Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "open", new() { Timeout = 20_000 });
        var whileDown = page.Locator($"li[data-kind='{NotificationKinds.AdminMessage}']");
        await Assertions.Expect(whileDown).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        Assert.Multiple(async () =>
        {
            Assert.That(await whileDown.Locator(".title").InnerTextAsync(), Is.EqualTo("Jadwal berubah"));
            Assert.That(await page.Locator("li.item").CountAsync(), Is.EqualTo(await Stack.Api.ScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE user_id = @id", ("id", asesi.Id))), "each notification once");
        });
        await Chromium.ScreenshotAsync(page, "device-page.png");
    }

    [Test]
    public async Task Marking_read_updates_the_unread_count_and_the_inbox()
    {
        using var cts = Timeouts.Generous();
        var asesi = await Stack.Api.CreateUserAsync(Roles.Asesi);
        await Stack.Api.Admin.Client.PostAsJsonAsync("api/v1/notifications",
            new { to = new { userIds = new[] { asesi.Id } }, title = "Selamat datang", body = "Welcome." }, cts.Token);
        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await DevicePageSteps.SignInAsync(page, Stack, asesi);

        var item = page.Locator("li.item").First;
        await Assertions.Expect(item).ToHaveAttributeAsync("data-state", "delivered");
        await Assertions.Expect(page.Locator("#unread")).ToHaveTextAsync("1");
        await item.GetByRole(AriaRole.Button, new() { Name = "Tandai sudah dibaca" }).ClickAsync();

        await Assertions.Expect(item).ToHaveAttributeAsync("data-state", "read");
        await Assertions.Expect(page.Locator("#unread")).ToHaveTextAsync("0");
        Assert.That(await Stack.Api.ScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE user_id = @id AND read_at IS NULL", ("id", asesi.Id)), Is.Zero);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(50, ct);
        }
    }
}

using Microsoft.Playwright;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterAdmin;

/// <summary>The admin dashboard in a real Chromium, against an API whose broker management URL is broker A of a two-broker cluster.</summary>
[Category("Browser")]
[NonParallelizable]
public sealed class ClusterDashboardTests
{
    [Test]
    [CancelAfter(120_000)]
    [Description("The dashboard shows one row per broker with its own sessions, a total row summing them, and the broker holding each session.")]
    public async Task The_dashboard_shows_a_row_per_broker_the_total_and_each_sessions_broker(CancellationToken ct)
    {
        await using var cluster = await AdminCluster.StartAsync(ct);
        await using var api = await ApiFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Nats:Url"] = cluster.Nats.Url,
            ["Situk:Nats:Name"] = "api-dashboard",
            ["Situk:Broker:AdminKey"] = cluster.A.AdminKey,
            ["Situk:Api:BrokerAdminUrl"] = cluster.A.InternalHttp.ToString(),
            ["Situk:Jwt:SigningKey"] = cluster.A.Tokens.SigningKey,
        });
        using var onA = await AdminCluster.ConnectAsync(cluster.A, "dash-a", ct);
        using var onB1 = await AdminCluster.ConnectAsync(cluster.B, "dash-b1", ct);
        using var onB2 = await AdminCluster.ConnectAsync(cluster.B, "dash-b2", ct);
        await using var browser = await Chromium.LaunchAsync();
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1100 }, Locale = "en-US" });
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(api.BaseAddress, "admin").ToString());
        await page.GetByLabel("Email").FillAsync(ApiFixture.AdminEmail);
        await page.Locator("#password").FillAsync(ApiFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var rows = page.Locator("#brokers tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0).Locator("td").Nth(0)).ToHaveTextAsync("node-a");
        await Assertions.Expect(rows.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync("1");
        await Assertions.Expect(rows.Nth(1).Locator("td").Nth(0)).ToHaveTextAsync("node-b");
        await Assertions.Expect(rows.Nth(1).Locator("td").Nth(1)).ToHaveTextAsync("2");
        var total = page.Locator("#brokers tfoot tr");
        await Assertions.Expect(total.Locator("td").Nth(0)).ToHaveTextAsync("Total");
        await Assertions.Expect(total.Locator("td").Nth(1)).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("#brokers-missing")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("#sessions tbody tr").Filter(new() { HasText = "dash-b2" })).ToContainTextAsync("node-b");
        await Assertions.Expect(page.Locator("#sessions tbody tr").Filter(new() { HasText = "dash-a" })).ToContainTextAsync("node-a");
        await Chromium.ScreenshotAsync(page, "dashboard-cluster.png");
    }
}

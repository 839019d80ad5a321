using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Playwright;
using Situk.Tests.Support;

namespace Situk.Tests.Failover;

/// <summary>
/// situk.js in a real Chromium given several broker URLs: past a dead broker to a live one, and to the other
/// broker when its own goes away. The page is a document of the first broker without the device page's policy,
/// and both brokers admit any origin, so only situk.js decides where the socket goes.
/// </summary>
[Category("Browser")]
[NonParallelizable]
public sealed class BrowserFailoverTests
{
    private SystemBrowser _browser = null!;

    private static CancellationToken Ct => TestContext.CurrentContext.CancellationToken;

    [OneTimeSetUp]
    public async Task StartAsync() => _browser = await Chromium.LaunchAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _browser.DisposeAsync();

    [Test]
    [CancelAfter(60_000)]
    [Description("The first broker situk.js tries is a closed port (1006): it moves to the live broker and opens there.")]
    public async Task Situk_js_passes_over_a_dead_broker_to_the_live_one(CancellationToken ct)
    {
        await using var live = await StartBrokerAsync(ct);
        var dead = DeadBrokerUrl();
        await using var context = await _browser.NewContextAsync();
        var page = await BlankPageOnAsync(context, live);

        await StartClientAsync(page, [dead, live.DeviceUri.ToString()], live.Tokens.Issue("701"));
        await WaitForOpenAsync(page, live.DeviceUri, ct);

        var closes = await ClosesAsync(page);
        Assert.That(closes, Does.Contain($"1006 {dead}"), "the dead broker was tried first and failed with 1006");
    }

    [Test]
    [CancelAfter(60_000)]
    [Description("The broker situk.js is on stops (1001): it reconnects to the other broker in the list.")]
    public async Task Situk_js_moves_to_the_other_broker_when_its_broker_goes_away(CancellationToken ct)
    {
        await using var first = await StartBrokerAsync(ct);
        await using var second = await StartBrokerAsync(ct);
        await using var context = await _browser.NewContextAsync();
        var page = await BlankPageOnAsync(context, first);

        await StartClientAsync(page, [first.DeviceUri.ToString(), second.DeviceUri.ToString()], first.Tokens.Issue("702"));
        await WaitForOpenAsync(page, first.DeviceUri, ct);
        await first.StopAsync(ct);
        await WaitForOpenAsync(page, second.DeviceUri, ct);

        Assert.That(await ClosesAsync(page), Does.Contain($"1001 {first.DeviceUri}"));
    }

    private static Task<BrokerFixture> StartBrokerAsync(CancellationToken ct) =>
        BrokerFixture.StartAsync(new Dictionary<string, string?> { ["Situk:Broker:AllowedOrigins"] = "*" }, cancellationToken: ct);

    // A document of the broker's own that carries no page policy (its 404 for an unknown path), so /situk.js
    // loads from the broker's origin and only situk.js decides where the socket goes. A document the test made
    // up would not do: Chromium treats it as outside the local network and blocks its sockets to loopback.
    private static async Task<IPage> BlankPageOnAsync(IBrowserContext context, BrokerFixture broker)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(broker.DeviceHttp, "failover-test").ToString());
        return page;
    }

    // Math.random() = 0 makes the first URL the first broker tried (and each back-off its shortest).
    private static Task StartClientAsync(IPage page, string[] urls, string token) =>
        page.EvaluateAsync(
            """
            async ([urls, token]) => {
              const { SitukClient } = await import("/situk.js");
              Math.random = () => 0;
              const client = new SitukClient({ brokerUrls: urls, token, device: "web" });
              window.closes = [];
              client.addEventListener("state", (e) => {
                if (e.detail.state === "closed") window.closes.push(`${e.detail.code} ${client.brokerUrl}`);
              });
              window.client = client;
              client.start();
            }
            """,
            new object[] { urls, token });

    private static async Task WaitForOpenAsync(IPage page, Uri broker, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!await page.EvaluateAsync<bool>("url => window.client.state === 'open' && window.client.brokerUrl === url", broker.ToString()))
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(20))
            {
                var seen = await page.EvaluateAsync<string>("() => `${window.client.state} ${window.client.brokerUrl} ${JSON.stringify(window.closes)}`");
                Assert.Fail($"situk.js did not open on {broker} within 20 s: {seen}");
            }

            await Task.Delay(50, ct);
        }
    }

    private static async Task<string[]> ClosesAsync(IPage page) =>
        JsonSerializer.Deserialize<string[]>(await page.EvaluateAsync<string>("() => JSON.stringify(window.closes)"))!;

    private static string DeadBrokerUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"ws://127.0.0.1:{port}/ws";
    }
}

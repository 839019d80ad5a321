using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Playwright;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Browser;

[Category("Browser")]
[Description("situk.js in a real Chromium against the broker alone: automatic acks of one window go out as one frame with "
    + "each id's delay, the broker dates each receipt that much earlier, and a window of 0 keeps one frame per notification.")]
public sealed class SitukJsAckWindowTests
{
    // Every frame the page's sockets send, kept for the test; then a client for `user` is started and its welcome awaited.
    private const string StartClient = """
        async ({ brokerUrl, token, ackWindowMs }) => {
          window.sent = [];
          const send = WebSocket.prototype.send;
          WebSocket.prototype.send = function (data) { window.sent.push(data); return send.call(this, data); };
          const { SitukClient } = await import("/situk.js");
          const options = { brokerUrl, token, device: "web" };
          if (ackWindowMs !== null) options.ackWindowMs = ackWindowMs;
          const client = new SitukClient(options);
          window.received = [];
          client.addEventListener("notification", (e) => window.received.push(e.detail.id));
          await new Promise((resolve) => { client.addEventListener("welcome", resolve, { once: true }); client.start(); });
          window.client = client;
          return client.ackWindowMs;
        }
        """;

    private BrokerFixture _broker = null!;
    private SystemBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _broker = await BrokerFixture.StartAsync();
        _browser = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Test]
    [Description("A window of 1 s (the default is 20 ms; a long one keeps the test clear of a busy machine's scheduling): "
        + "three notifications, one ack frame, the first id's delay the largest, each receipt dated back by its delay.")]
    public async Task Three_notifications_in_one_window_are_acked_in_one_frame_with_their_delays()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await using var context = await _browser.NewContextAsync(new() { BypassCSP = true });
        var page = await context.NewPageAsync();
        await StartClientAsync(page, "js-window", 1000);

        await PublishAsync(link, "js-window", [701, 702, 703], cts.Token);
        await page.WaitForFunctionAsync("() => window.received.length === 3");
        var receipts = new Dictionary<long, Receipt>();
        while (receipts.Count < 3)
        {
            foreach (var item in (await link.ReceiveInternalAsync<ReceiptsFrame>(null, cts.Token)).Items)
            {
                receipts[item.NotificationId] = item;
            }
        }

        var arrived = DateTimeOffset.UtcNow;
        var acks = await AckFramesAsync(page);
        Assert.That(acks, Has.Count.EqualTo(1), "one frame for the window");
        var ack = acks[0];
        Assert.Multiple(() =>
        {
            Assert.That(ack.Ids, Is.EqualTo(new long[] { 701, 702, 703 }));
            Assert.That(ack.Delays, Has.Length.EqualTo(3).And.All.InRange(0, 60_000));
            Assert.That(ack.Delays![0], Is.GreaterThanOrEqualTo(ack.Delays[2]), "the first one waited longest");
            Assert.That(ack.Delays[0], Is.GreaterThanOrEqualTo(900), "it waited out the 1 s window");
            Assert.That(receipts[701].AckedAt, Is.LessThanOrEqualTo(arrived - TimeSpan.FromMilliseconds(900)), "dated when the page received it, not when the ack came");
            Assert.That(receipts.Values.Select(r => r.AckedAt >= r.WrittenAt), Is.All.True, "never before the broker wrote it");
        });
    }

    [Test]
    public async Task The_default_window_is_20_ms_and_a_window_of_0_acks_each_notification_in_its_own_frame()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await using var context = await _browser.NewContextAsync(new() { BypassCSP = true });
        var defaults = await context.NewPageAsync();
        Assert.That(await StartClientAsync(defaults, "js-default", null), Is.EqualTo(20));
        var older = await context.NewPageAsync();
        await StartClientAsync(older, "js-no-window", 0);

        await PublishAsync(link, "js-no-window", [801, 802], cts.Token);
        await older.WaitForFunctionAsync("() => window.received.length === 2");
        await link.ReceiveInternalAsync<ReceiptsFrame>(r => r.Items.Any(i => i.NotificationId == 802), cts.Token);

        var acks = await AckFramesAsync(older);
        Assert.Multiple(() =>
        {
            Assert.That(acks.Select(a => a.Ids), Is.EqualTo(new[] { new long[] { 801 }, new long[] { 802 } }), "one frame each, at once");
            Assert.That(acks.Select(a => a.Delays), Is.All.Null, "no delays: received as the frame was sent");
        });
    }

    private async Task<int> StartClientAsync(IPage page, string user, int? ackWindowMs)
    {
        // The broker's own origin (its health check, a page with no script): situk.js loads from it and the socket is allowed.
        await page.GotoAsync(new Uri(_broker.DeviceHttp, "healthz").ToString());
        return await page.EvaluateAsync<int>(StartClient, new
        {
            brokerUrl = _broker.DeviceUri.ToString(),
            token = _broker.Tokens.Issue(user, Roles.Asesi),
            ackWindowMs,
        });
    }

    private static async Task PublishAsync(WebSocket link, string user, long[] ids, CancellationToken ct)
    {
        foreach (var id in ids)
        {
            var notification = new PushNotification(id, NotificationKinds.AdminMessage, "Pengumuman", "Isi", null, null, DateTimeOffset.UtcNow);
            await link.SendFrameAsync(new PublishFrame(id, Audience.Users(user), notification), ct);
        }
    }

    private static async Task<List<AckFrame>> AckFramesAsync(IPage page)
    {
        var sent = await page.EvaluateAsync<string[]>("() => window.sent");
        return [.. sent.Select(s => JsonSerializer.Deserialize(s, SitukJson.Default.DeviceFrame)).OfType<AckFrame>()];
    }
}

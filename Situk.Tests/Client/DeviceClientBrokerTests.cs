using System.Net.Http.Json;
using System.Text.Json;
using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Client;

[Description("Situk.Client against the real broker: receive, ack, dedupe, reconnect after a restart, stop on a kick.")]
public sealed class DeviceClientBrokerTests
{
    private BrokerFixture _broker = null!;

    [SetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    public async Task A_published_notification_is_received_once_and_acked_as_a_receipt()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await using var client = NewClient("501");
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);

        await link.SendFrameAsync(Publish(1, "501", 9001), cts.Token);
        var received = await client.Notifications.ReadAsync(cts.Token);
        var receipts = await link.ReceiveInternalAsync<ReceiptsFrame>(null, cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(received.Id, Is.EqualTo(9001));
            Assert.That(received.Synced, Is.False);
            Assert.That(receipts.Items.Select(r => r.NotificationId), Does.Contain(9001L));
            Assert.That(receipts.Items[0].DeviceClass, Is.EqualTo(DeviceClasses.Desktop));
            Assert.That(client.LastId, Is.EqualTo(9001));
        });
    }

    [Test]
    [Description("At-least-once to devices: the same id twice (a re-send) reaches the application once.")]
    public async Task A_repeated_id_is_dropped()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await using var client = NewClient("502");
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);

        await link.SendFrameAsync(Publish(1, "502", 7001), cts.Token);
        await link.SendFrameAsync(Publish(2, "502", 7001), cts.Token);
        await link.SendFrameAsync(Publish(3, "502", 7002), cts.Token);

        var first = await client.Notifications.ReadAsync(cts.Token);
        var second = await client.Notifications.ReadAsync(cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(new[] { first.Id, second.Id }, Is.EqualTo(new[] { 7001L, 7002L }));
            Assert.That(client.DuplicatesDropped, Is.EqualTo(1));
        });
    }

    [Test]
    [Description("A broker restart closes with 1001; the client comes back by itself and receives again.")]
    public async Task The_client_reconnects_after_a_broker_restart()
    {
        using var cts = Timeouts.Generous();
        await using var client = NewClient("503");
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);
        var firstSession = client.SessionId;

        await _broker.RestartAsync(cts.Token);
        await WaitUntilAsync(() => client.Connections >= 2 && client.State == ClientState.Open, cts.Token);
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await link.SendFrameAsync(Publish(1, "503", 8001), cts.Token);

        var received = await client.Notifications.ReadAsync(cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(received.Id, Is.EqualTo(8001));
            Assert.That(client.SessionId, Is.Not.EqualTo(firstSession));
        });
    }

    [Test]
    [Description("An admin's kick (4003) must stick: the client stops instead of reconnecting.")]
    public async Task A_kick_stops_the_client()
    {
        using var cts = Timeouts.Generous();
        await using var client = NewClient("504");
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);
        var stopped = client.WaitForStateAsync(ClientState.Stopped, cts.Token);

        using var admin = _broker.CreateAdminClient();
        using var kicked = await admin.DeleteAsync(new Uri(_broker.InternalHttp, "admin/users/504/sessions"), cts.Token);
        await stopped;

        // The client stops on the broker's close frame; the broker lists the session until the client's
        // answering close frame reaches it, a moment later.
        await AdminCalls.EventuallyAsync(
            async () => (await admin.GetFromJsonAsync(new Uri(_broker.InternalHttp, "admin/sessions?userId=504"), SitukJson.Default.SessionInfoArray, cts.Token))!.Length == 0,
            cts.Token);
        Assert.That(client.State, Is.EqualTo(ClientState.Stopped), "a kicked client does not reconnect");
    }

    private SitukDeviceClient NewClient(string userId) => new(new SitukClientOptions
    {
        BrokerUrl = _broker.DeviceUri,
        TokenProvider = _ => ValueTask.FromResult(_broker.Tokens.Issue(userId)),
        DeviceClass = DeviceClasses.Desktop,
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    });

    private static PublishFrame Publish(long reference, string userId, long id) =>
        new(reference, Audience.Users(userId), new PushNotification(id, NotificationKinds.AdminMessage, "t", "b", null,
            JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["n"] = 1 }), DateTimeOffset.UtcNow));

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(20, ct);
        }
    }
}

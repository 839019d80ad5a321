using System.Diagnostics;
using System.Globalization;
using Situk.Api.Relay;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Relay;

/// <summary>A broker that stops answering on a link that stays open: the link's publish timeout is the bound.</summary>
public sealed partial class PushRelayTests
{
    private static readonly TimeSpan SilentTimeout = TimeSpan.FromSeconds(1);

    [Test]
    [Description("The link's bytes are dropped both ways and nothing is closed (a TCP proxy strands it): a publish fails with " +
        "BrokerUnavailableException at Situk:Relay:PublishTimeout, not at some later deadline, and a notification written " +
        "meanwhile stays pending in the outbox with the reason, never marked forwarded.")]
    public async Task A_publish_the_broker_never_answers_fails_at_its_timeout_and_its_row_stays_pending()
    {
        await using var proxy = await TcpProxy.StartAsync(_broker.InternalEndPoint);
        var relay = await StartRelayAsync(new()
        {
            ["Situk:Api:BrokerInternalUrl"] = $"ws://127.0.0.1:{proxy.Port}/internal",
            ["Situk:Relay:PublishTimeout"] = "00:00:01",
        });
        var link = relay.Service<BrokerLink>();
        var user = await RelayData.CreateUserAsync(_db);
        var to = Audience.Users(user.ToString(CultureInfo.InvariantCulture));
        var device = await ConnectAsync(user);

        // The control: through the proxy the broker answers, and the device has it.
        Assert.That(await link.PublishAsync(to, Ephemeral(-1), Ct), Is.EqualTo(1));
        Assert.That((await device.ReceiveNotificationAsync(Ct)).Id, Is.EqualTo(-1));

        proxy.Strand();
        var clock = Stopwatch.StartNew();
        var refused = Assert.ThrowsAsync<BrokerUnavailableException>(() => link.PublishAsync(to, Ephemeral(-2), Ct));
        var failedAfter = clock.Elapsed;
        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Does.Contain("did not answer within"));
            Assert.That(failedAfter, Is.GreaterThanOrEqualTo(SilentTimeout - TimeSpan.FromMilliseconds(50)), "not before its timeout");
            Assert.That(failedAfter, Is.LessThan(SilentTimeout + TimeSpan.FromSeconds(1)), "at its own timeout, not a later one");
        });

        var ids = await RelayData.NotifyAsync(_db, user);
        await RelayData.EventuallyAsync(
            async () => await RelayData.ScalarAsync<bool>(_db, "SELECT attempts >= 1 AND coalesce(last_error, '') LIKE '%did not answer within%' FROM push_outbox WHERE notification_id = @id", new { id = ids[0] }),
            "the relay's publish timed out and the row says why",
            timeoutSeconds: 10);
        Assert.That(
            await RelayData.ScalarAsync<string>(_db, "SELECT state FROM push_outbox WHERE notification_id = @id", new { id = ids[0] }),
            Is.EqualTo("pending"),
            "an unanswered publish is never taken for a forwarded one");
    }

    private static PushNotification Ephemeral(long id) =>
        new(id, NotificationKinds.AdminMessage, "Uji", "Tautan diam", null, null, DateTimeOffset.UtcNow);
}

using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Internal;

[Description("GET /internal: the API's link — online snapshot, pipelined publishes, receipts and presence.")]
public sealed class InternalSocketTests
{
    [Test]
    public async Task Internal_socket_refuses_a_wrong_or_missing_key_with_401()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await TryConnectAsync(broker, "wrong-key", cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await TryConnectAsync(broker, broker.AdminKey, cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized), "the admin key is not the internal key");
            Assert.That(await TryConnectAsync(broker, null, cts.Token), Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Link_opens_with_every_user_online()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        var (a, _) = await broker.ConnectDeviceWithWelcomeAsync("online-a", cancellationToken: cts.Token);
        var (b, _) = await broker.ConnectDeviceWithWelcomeAsync("online-b", cancellationToken: cts.Token);
        using (a)
        using (b)
        using (var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token))
        {
            var online = (OnlineUsersFrame)await link.ReceiveInternalFrameAsync(cts.Token);
            Assert.That(online.UserIds, Is.EquivalentTo(new[] { "online-a", "online-b" }));
        }
    }

    [Test]
    public async Task Presence_is_sent_when_a_users_first_session_opens_and_last_closes()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        Assert.That(((OnlineUsersFrame)await link.ReceiveInternalFrameAsync(cts.Token)).UserIds, Is.Empty);

        var (first, _) = await broker.ConnectDeviceWithWelcomeAsync("present", cancellationToken: cts.Token);
        var (second, _) = await broker.ConnectDeviceWithWelcomeAsync("present", cancellationToken: cts.Token);
        Assert.That(await link.ReceiveInternalFrameAsync(cts.Token), Is.EqualTo(new PresenceFrame("present", Online: true, Sessions: 1)));

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        await second.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        Assert.That(await link.ReceiveInternalFrameAsync(cts.Token), Is.EqualTo(new PresenceFrame("present", Online: false, Sessions: 0)),
            "one presence change per user, not per session");
        first.Dispose();
        second.Dispose();
    }

    [Test]
    public async Task Publishes_are_pipelined_and_each_is_answered_with_its_ref()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        var (device, _) = await broker.ConnectDeviceWithWelcomeAsync("piped", cancellationToken: cts.Token);
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await link.ReceiveInternalAsync<OnlineUsersFrame>(null, cts.Token);

        for (var i = 1; i <= 50; i++)
        {
            var notification = new PushNotification(1000 + i, NotificationKinds.RegistrationVerified, "n" + i, "body", null, null, DateTimeOffset.UtcNow);
            await link.SendFrameAsync(new PublishFrame(i, Audience.Users("piped"), notification), cts.Token);
        }

        var answers = new List<PublishedFrame>();
        while (answers.Count < 50)
        {
            answers.Add(await link.ReceiveInternalAsync<PublishedFrame>(null, cts.Token));
        }

        var ids = new List<long>();
        while (ids.Count < 50)
        {
            ids.Add((await device.ReceiveNotificationAsync(cts.Token)).Id);
        }

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Ref), Is.EqualTo(Enumerable.Range(1, 50).Select(i => (long)i)));
            Assert.That(answers.Select(a => a.Sessions), Has.All.EqualTo(1));
            Assert.That(ids, Is.EqualTo(Enumerable.Range(1001, 50).Select(i => (long)i)), "in publish order");
        });
        device.Dispose();
    }

    [Test]
    public async Task Device_ack_arrives_as_a_receipt_on_every_link()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var linkA = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        using var linkB = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        var device = await broker.ConnectDeviceAsync("acker", device: "android", cancellationToken: cts.Token);
        var welcome = await device.ReceiveWelcomeAsync(cts.Token);

        var beforePublish = DateTimeOffset.UtcNow;
        var notification = new PushNotification(77, NotificationKinds.VerdictCompetent, "Kompeten", "Selamat", "/r/1", null, DateTimeOffset.UtcNow);
        await linkA.SendFrameAsync(new PublishFrame(1, Audience.Users("acker"), notification), cts.Token);
        var received = await device.ReceiveNotificationAsync(cts.Token);
        await device.SendFrameAsync(new AckFrame([received.Id, 404]), cts.Token);

        foreach (var link in new[] { linkA, linkB })
        {
            var receipts = await link.ReceiveInternalAsync<ReceiptsFrame>(null, cts.Token);
            var receipt = receipts.Items.Single(r => r.NotificationId == 77);
            var neverSent = receipts.Items.Single(r => r.NotificationId == 404);
            Assert.Multiple(() =>
            {
                Assert.That(receipt.UserId, Is.EqualTo("acker"));
                Assert.That(receipt.SessionId, Is.EqualTo(welcome.SessionId));
                Assert.That(receipt.DeviceClass, Is.EqualTo(DeviceClasses.Android));
                Assert.That(receipt.WrittenAt, Is.Not.Null.And.InRange(beforePublish, receipt.AckedAt), "written to the socket after the publish, before the ack");
                Assert.That(neverSent.WrittenAt, Is.Null, "an ack for an id this session was never sent has no written time");
            });
        }

        var stats = await broker.StatsAsync(cts.Token);
        Assert.That(stats.Acks, Is.EqualTo(2));
        Assert.That(stats.PublishToAckMs.P50, Is.GreaterThan(0));
        device.Dispose();
    }

    [Test]
    public async Task Frame_other_than_publish_closes_the_link_with_1008()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        using var link = await broker.ConnectInternalAsync(cancellationToken: cts.Token);
        var sent = Stopwatch.StartNew();
        await link.SendFrameAsync(new PresenceFrame("x", true, 1), cts.Token);
        Assert.That(await link.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.PolicyViolation));
        Assert.That(sent.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "a close is prompt, not a timeout");
    }

    private static async Task<HttpStatusCode> TryConnectAsync(BrokerFixture broker, string? key, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (key is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        }

        try
        {
            await socket.ConnectAsync(broker.InternalUri, cancellationToken);
        }
        catch (WebSocketException)
        {
        }

        return socket.HttpStatusCode;
    }
}

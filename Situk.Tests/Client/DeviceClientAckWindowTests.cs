using Situk.Client;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.Client;

[Description("Situk.Client gathers its automatic acks into one frame per window, each id with its delay. The broker here lets "
    + "a session send one inbound frame a second (burst 1), so a second ack frame within a second would close it with 1008: "
    + "staying open is the proof of one frame.")]
public sealed class DeviceClientAckWindowTests
{
    private BrokerFixture _broker = null!;

    [SetUp]
    public async Task StartAsync() => _broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
    {
        ["Situk:Broker:InboundFrameBurst"] = "1",
        ["Situk:Broker:InboundFramesPerSecond"] = "1",
    });

    [TearDown]
    public async Task StopAsync() => await _broker.DisposeAsync();

    [Test]
    [Description("A window of 1 s (the default is 20 ms; a long one keeps the test clear of a busy machine's scheduling).")]
    public async Task Notifications_of_one_window_are_acked_in_one_frame_and_dated_when_they_arrived()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await using var client = NewClient("611", TimeSpan.FromSeconds(1));
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);
        var session = client.SessionId;

        for (var id = 1; id <= 3; id++)
        {
            await link.SendFrameAsync(Publish(id, "611", 6100 + id), cts.Token);
        }

        var receipts = new Dictionary<long, Receipt>();
        while (receipts.Count < 3)
        {
            foreach (var item in (await link.ReceiveInternalAsync<ReceiptsFrame>(null, cts.Token)).Items)
            {
                receipts[item.NotificationId] = item;
            }
        }

        var arrived = DateTimeOffset.UtcNow;
        Assert.Multiple(() =>
        {
            Assert.That(receipts.Keys, Is.EquivalentTo(new long[] { 6101, 6102, 6103 }));
            Assert.That(client.SessionId, Is.EqualTo(session), "no 1008: the three acks came in one frame");
            Assert.That(client.Connections, Is.EqualTo(1));
            Assert.That(receipts[6101].AckedAt, Is.LessThanOrEqualTo(arrived - TimeSpan.FromMilliseconds(900)), "dated when the client received it, a window before the ack");
            Assert.That(receipts.Values.Select(r => r.AckedAt >= r.WrittenAt), Is.All.True, "never before the broker wrote it");
            Assert.That(new SitukClientOptions().AckWindow, Is.EqualTo(TimeSpan.FromMilliseconds(20)), "the default window");
        });
    }

    [Test]
    [Description("AckWindow zero acks each notification in its own frame at once, as before: under a bucket of one frame a second, "
        + "the second of three closes the session with 1008 — the cost the window takes away.")]
    public async Task With_no_window_each_notification_is_acked_in_its_own_frame()
    {
        using var cts = Timeouts.Generous();
        using var link = await _broker.ConnectInternalAsync(cancellationToken: cts.Token);
        await using var client = NewClient("612", TimeSpan.Zero);
        var closes = new List<int?>();
        client.StateChanged += change =>
        {
            lock (closes)
            {
                closes.Add(change.CloseCode);
            }
        };
        client.Start();
        await client.WaitForStateAsync(ClientState.Open, cts.Token);

        for (var id = 1; id <= 3; id++)
        {
            await link.SendFrameAsync(Publish(id, "612", 6200 + id), cts.Token);
        }

        await client.WaitForStateAsync(ClientState.Reconnecting, cts.Token);
        lock (closes)
        {
            Assert.That(closes, Does.Contain(CloseCodes.PolicyViolation));
        }
    }

    private SitukDeviceClient NewClient(string userId, TimeSpan ackWindow) => new(new SitukClientOptions
    {
        BrokerUrl = _broker.DeviceUri,
        TokenProvider = _ => ValueTask.FromResult(_broker.Tokens.Issue(userId)),
        DeviceClass = DeviceClasses.Desktop,
        AckWindow = ackWindow,
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    });

    private static PublishFrame Publish(long reference, string userId, long id) =>
        new(reference, Audience.Users(userId), new PushNotification(id, NotificationKinds.AdminMessage, "t", "b", null, null, DateTimeOffset.UtcNow));

    [Test]
    [Description("An id that arrives while the window is read out, after its clock reading, has waited no time: its delay is 0, "
        + "never negative (the broker closes a socket that sends a negative delay with 1008). Seen under load in a rolling restart.")]
    public void An_id_arriving_after_the_windows_clock_reading_has_a_delay_of_zero()
    {
        var time = TimeProvider.System;
        var now = time.GetTimestamp();
        var second = time.TimestampFrequency;
        Assert.Multiple(() =>
        {
            Assert.That(SitukDeviceClient.AckDelayMilliseconds(time, now + second / 100, now), Is.Zero, "arrived 10 ms after the reading");
            Assert.That(SitukDeviceClient.AckDelayMilliseconds(time, now, now), Is.Zero);
            Assert.That(SitukDeviceClient.AckDelayMilliseconds(time, now - (second / 1000 * 25), now), Is.EqualTo(25), "25 ms before it");
            Assert.That(SitukDeviceClient.AckDelayMilliseconds(time, now - (second * 3_000_000), now), Is.EqualTo(int.MaxValue), "weeks asleep");
        });
    }
}

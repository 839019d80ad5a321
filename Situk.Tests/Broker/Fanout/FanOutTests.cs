using System.Net.WebSockets;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Fanout;

[Description("One publish reaches every session it names; one slow device never slows the others.")]
public sealed class FanOutTests
{
    [Test]
    public async Task One_publish_reaches_1000_sockets()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var broker = await BrokerFixture.StartAsync();
        var sockets = new ClientWebSocket[1000];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, sockets.Length), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cts.Token }, async (i, ct) =>
            {
                sockets[i] = await broker.ConnectDeviceAsync("fan-" + i, cancellationToken: ct);
                await sockets[i].ReceiveWelcomeAsync(ct);
            });

            var sessions = await broker.PublishAsync(Audience.Everyone, "to everyone", cts.Token);

            var received = await Task.WhenAll(sockets.Select(s => s.ReceiveNotificationAsync(cts.Token)));
            Assert.Multiple(() =>
            {
                Assert.That(sessions, Is.EqualTo(1000));
                Assert.That(received.Select(n => n.Title), Has.All.EqualTo("to everyone"));
                Assert.That(received.Select(n => n.Id).Distinct().Count(), Is.EqualTo(1), "the same notification, serialised once");
                Assert.That(received.Select(n => n.SentAt).Distinct().Count(), Is.EqualTo(1), "one sentAt per publish");
            });
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket?.Abort();
                socket?.Dispose();
            }
        }
    }

    [Test]
    [Description("A device that never reads fills its small queue with high-priority frames and is closed with 1013, counted as a drop; 100 readers receive every publish meanwhile.")]
    public async Task Slow_reader_is_dropped_with_1013_while_100_others_keep_receiving()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var broker = await BrokerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Situk:Broker:QueueCapacity"] = "4",
            ["Situk:Broker:CloseTimeoutSeconds"] = "60", // the slow client starts reading only after the drop is seen
        });
        using var slow = await broker.ConnectDeviceAsync("slow", Roles.Asesi, cancellationToken: cts.Token);
        var readers = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => broker.ConnectDeviceAsync("fast-" + i, Roles.Asesor, cancellationToken: cts.Token)));
        var reading = readers.Select(r => ReadUntilAsync(r, "last", cts.Token)).ToArray();

        var big = new string('x', 256 * 1024);
        for (var round = 0; (await broker.StatsAsync(cts.Token)).Drops == 0; round++)
        {
            Assert.That(round, Is.LessThan(400), "the slow session should have been dropped long ago");
            // Verdicts are high priority: a full queue has no normal frame to shed for them, so it closes.
            await broker.PublishAsync(Audience.Users("slow"), "big " + round, cts.Token, body: big, kind: NotificationKinds.VerdictCompetent);
            await broker.PublishAsync(Audience.ForRole(Roles.Asesor), "small " + round, cts.Token);
        }

        var lastSessions = await broker.PublishAsync(Audience.ForRole(Roles.Asesor), "last", cts.Token);
        var counts = await Task.WhenAll(reading);
        Assert.Multiple(async () =>
        {
            Assert.That(lastSessions, Is.EqualTo(100));
            Assert.That(counts, Has.All.GreaterThanOrEqualTo(2), "each reader got every small publish and the last one");
            Assert.That(counts.Distinct().Count(), Is.EqualTo(1), "every reader got the same number of notifications");
            Assert.That(await slow.ReceiveCloseAsync(cts.Token), Is.EqualTo(CloseCodes.TryAgainLater));
            Assert.That((await broker.StatsAsync(cts.Token)).Drops, Is.EqualTo(1));
        });

        foreach (var reader in readers)
        {
            reader.Dispose();
        }
    }

    [Test]
    public async Task Publish_to_a_role_reaches_only_that_role()
    {
        using var cts = Timeouts.Generous();
        await using var broker = await BrokerFixture.StartAsync();
        var (asesi, _) = await broker.ConnectDeviceWithWelcomeAsync("role-asesi", Roles.Asesi, cts.Token);
        var (asesor, _) = await broker.ConnectDeviceWithWelcomeAsync("role-asesor", Roles.Asesor, cts.Token);
        using (asesi)
        using (asesor)
        {
            var sessions = await broker.PublishAsync(Audience.ForRole(Roles.Asesor), "for asesors", cts.Token);
            await broker.PublishAsync(Audience.Users("role-asesi"), "for the asesi", cts.Token);

            Assert.Multiple(async () =>
            {
                Assert.That(sessions, Is.EqualTo(1));
                Assert.That((await asesor.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("for asesors"));
                Assert.That((await asesi.ReceiveNotificationAsync(cts.Token)).Title, Is.EqualTo("for the asesi"), "the asesi's first notification is its own, not the asesors'");
            });
        }
    }

    private static async Task<int> ReadUntilAsync(ClientWebSocket socket, string title, CancellationToken cancellationToken)
    {
        await socket.ReceiveWelcomeAsync(cancellationToken);
        for (var count = 1; ; count++)
        {
            if ((await socket.ReceiveNotificationAsync(cancellationToken)).Title == title)
            {
                return count;
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Dapper;
using NATS.Client.Core;
using Situk.Broker.Cluster;
using Situk.Contracts;
using Situk.Tests.Faults;
using Situk.Tests.Support;

namespace Situk.Tests.Cluster;

/// <summary>
/// A connect storm on one broker of a cluster (as after another broker's restart): every user must be followed on
/// NATS — subscribed to and announced online — before a notification for them can reach their device without
/// waiting for the presence re-send. The announcements are watched on the NATS server itself, so the test sees
/// how many requests carried them, not only how long it took.
/// </summary>
[NonParallelizable]
public sealed class ConnectStormTests
{
    // SITUK_STORM_USERS sets another count for a measurement by hand (the figures in docs/cluster.md's sizing table).
    private static readonly int Users = int.TryParse(Environment.GetEnvironmentVariable("SITUK_STORM_USERS"), out var users) ? users : 2000;

    [Test]
    [CancelAfter(600_000)]
    [Description(
        "2,000 users connect to broker A at once: all are followed, announced online in far fewer requests than users (batches, " +
        "not one round trip per user), and each device gets the notification written right after.")]
    public async Task Users_connecting_at_once_are_followed_in_batches_and_each_gets_the_next_notification(CancellationToken ct)
    {
        await using var cluster = await ClusterSystem.StartAsync(ct);
        var users = await FaultData.InsertUsersAsync(cluster.Database.ConnectionString, Users, "storm-" + Guid.NewGuid().ToString("N")[..8], ct);
        var uplink = cluster.A.Service<NatsUplink>();

        await using var watcher = new NatsConnection(NatsOpts.Default with { Url = cluster.Nats.Url, Name = "presence-watcher" });
        await using var presence = await watcher.SubscribeCoreAsync<byte[]>(ClusterSubjects.Presence, cancellationToken: ct);
        await watcher.PingAsync(ct);
        var requests = 0;
        var announced = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watching = WatchAsync(presence, announced, () => Interlocked.Increment(ref requests), stopWatching.Token);

        var sockets = new ConcurrentDictionary<long, ClientWebSocket>();
        var clock = Stopwatch.StartNew();
        try
        {
            await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 128, CancellationToken = ct }, async (user, token) =>
                sockets[user] = await cluster.ConnectAsync(cluster.A, user, token));
            var connected = clock.Elapsed;

            // Generous for a loaded machine; what shows the pipelining is the request count below, not the time.
            using (var bound = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                bound.CancelAfter(TimeSpan.FromSeconds(120));
                while (uplink.FollowedUsers < Users || users.Any(u => !announced.ContainsKey(u.ToString(CultureInfo.InvariantCulture))))
                {
                    await Task.Delay(20, bound.Token);
                }
            }

            var followed = clock.Elapsed;
            await stopWatching.CancelAsync();
            await watching;
            TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"connect storm: {Users} users open on broker A after {connected.TotalSeconds:F2} s, all followed and announced after " +
                $"{followed.TotalSeconds:F2} s, in {requests} presence requests ({uplink.Announces} answered)"));

            var ids = await NotifyEachAsync(cluster.Database, users);
            var wrong = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (user, token) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                var frame = await sockets[user].ReceiveNotificationAsync(timeout.Token);
                if (frame.Id != ids[user])
                {
                    wrong.Add($"user {user}: got {frame.Id}, expected {ids[user]}");
                }
            });

            Assert.Multiple(() =>
            {
                Assert.That(uplink.FollowedUsers, Is.EqualTo(Users), "every connected user is followed on NATS");
                // One round trip per user would be 2,000 requests; batches were 50–100 on the test machine.
                Assert.That(requests, Is.LessThan(Users / 5), "users are announced online in batches, not one request each");
                Assert.That(wrong, Is.Empty, "each device's next frame is its own notification, written after all were followed");
            });
        }
        finally
        {
            foreach (var socket in sockets.Values)
            {
                socket.Abort();
                socket.Dispose();
            }
        }
    }

    [Test]
    [CancelAfter(300_000)]
    [Description(
        "Among 1,200 users connecting at once, 100 connect, leave and connect again and 100 connect and leave: when the rounds are " +
        "done the first are followed and get the notification written next, the others are not followed (unsubscribed), and " +
        "everyone still connected is.")]
    public async Task Users_who_come_and_go_during_a_storm_are_followed_exactly_while_connected(CancellationToken ct)
    {
        await using var cluster = await ClusterSystem.StartAsync(ct);
        var all = await FaultData.InsertUsersAsync(cluster.Database.ConnectionString, 1200, "storm-race-" + Guid.NewGuid().ToString("N")[..8], ct);
        var flapping = all.Skip(1000).Take(100).ToHashSet();
        var leaving = all.Skip(1100).ToHashSet();
        var uplink = cluster.A.Service<NatsUplink>();
        var sockets = new ConcurrentDictionary<long, ClientWebSocket>();
        // Mixed in, so the comings and goings fall among the rounds of the storm rather than after it.
        var order = all.ToArray();
        new Random(7).Shuffle(order);
        try
        {
            await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = 128, CancellationToken = ct }, async (user, token) =>
            {
                var socket = await cluster.ConnectAsync(cluster.A, user, token);
                if (flapping.Contains(user) || leaving.Contains(user))
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", token);
                    socket.Dispose();
                    if (leaving.Contains(user))
                    {
                        return;
                    }

                    socket = await cluster.ConnectAsync(cluster.A, user, token);
                }

                sockets[user] = socket;
            });

            var id = (long u) => u.ToString(CultureInfo.InvariantCulture);
            using (var bound = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                bound.CancelAfter(TimeSpan.FromSeconds(60));
                while (uplink.FollowedUsers != 1100 || leaving.Any(u => uplink.Follows(id(u))) || sockets.Keys.Any(u => !uplink.Follows(id(u))))
                {
                    await Task.Delay(20, bound.Token);
                }
            }

            var ids = await NotifyEachAsync(cluster.Database, [.. sockets.Keys]);
            await Parallel.ForEachAsync(sockets, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (entry, token) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                Assert.That((await entry.Value.ReceiveNotificationAsync(timeout.Token)).Id, Is.EqualTo(ids[entry.Key]), $"user {entry.Key}");
            });

            Assert.Multiple(() =>
            {
                Assert.That(uplink.FollowedUsers, Is.EqualTo(1100), "the 1,000 and the 100 who came back, no more");
                Assert.That(leaving.Where(u => uplink.Follows(id(u))), Is.Empty, "users who left are no longer followed");
                Assert.That(flapping.Where(u => !uplink.Follows(id(u))), Is.Empty, "users who came back are followed");
            });
        }
        finally
        {
            foreach (var socket in sockets.Values)
            {
                socket.Abort();
                socket.Dispose();
            }
        }
    }

    /// <summary>Counts the presence messages brokers send and collects the users they announce online.</summary>
    private static async Task WatchAsync(INatsSub<byte[]> presence, ConcurrentDictionary<string, byte> announced, Action counted, CancellationToken ct)
    {
        try
        {
            await foreach (var message in presence.Msgs.ReadAllAsync(ct))
            {
                switch (JsonSerializer.Deserialize(message.Data, SitukJson.Default.InternalFrame))
                {
                    case PresenceFrame { Online: true } one:
                        counted();
                        announced[one.UserId] = 0;
                        break;
                    case OnlineUsersFrame many:
                        counted();
                        foreach (var id in many.UserIds)
                        {
                            announced[id] = 0;
                        }

                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Done watching.
        }
    }

    /// <summary>One notification for each user, through the outbox as the API writes them; their ids by user.</summary>
    private static async Task<Dictionary<long, long>> NotifyEachAsync(TestDatabase db, IReadOnlyList<long> users)
    {
        await using var connection = db.Open();
        var rows = await connection.QueryAsync<(long User, long Id)>(
            """
            WITH n AS (
                INSERT INTO notifications (user_id, kind, title, body)
                SELECT u, 'registration.verified', 'Storm ' || u, 'Sent right after the connect storm.' FROM unnest(@users) AS u
                RETURNING user_id, id
            ), o AS (
                INSERT INTO push_outbox (notification_id) SELECT id FROM n
            )
            SELECT user_id, id FROM n
            """,
            new { users = users.ToArray() });
        return rows.ToDictionary(r => r.User, r => r.Id);
    }
}

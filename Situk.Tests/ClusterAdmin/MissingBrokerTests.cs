using System.Diagnostics;
using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterAdmin;

/// <summary>
/// A broker that stopped while the others still expect it (its last heartbeat is younger than AdminNodeTtl):
/// broker A's answers come within the deadline, name it missing, and still hold what the live brokers answered.
/// </summary>
[NonParallelizable]
public sealed class MissingBrokerTests
{
    /// <summary>The deadline, plus room for a loaded machine; a request waiting on the silent broker for good would pass it.</summary>
    private static readonly TimeSpan AnswerBound = AdminCluster.Deadline + TimeSpan.FromSeconds(1);

    [Test]
    [CancelAfter(90_000)]
    [Description("Broker C stops; from broker A, sessions, stats, a publish and a user kick answer within deadline + 1 s, name node-c missing, and include A's and B's answers.")]
    public async Task A_stopped_broker_is_named_missing_and_the_answer_still_comes_by_the_deadline(CancellationToken ct)
    {
        await using var cluster = await AdminCluster.StartAsync(ct);
        var c = await cluster.AddBrokerAsync("node-c", ct);
        var user = "mb-" + Guid.NewGuid().ToString("N")[..12];
        using var onA = await AdminCluster.ConnectAsync(cluster.A, user, ct);
        using var onB = await AdminCluster.ConnectAsync(cluster.B, user, ct);
        Assert.That((await cluster.A.StatsAsync(ct)).Brokers!.Select(r => r.Node), Is.EqualTo(new[] { "node-a", "node-b", "node-c" }), "all three answer while C runs");

        await c.StopAsync(ct);
        using var admin = cluster.A.CreateAdminClient();

        var clock = Stopwatch.StartNew();
        using var sessions = await admin.GetAsync("admin/sessions?userId=" + user, ct);
        var sessionsTook = clock.Elapsed;
        var listed = await sessions.Content.ReadFromJsonAsync(SitukJson.Default.SessionInfoArray, ct);

        clock.Restart();
        var stats = await cluster.A.StatsAsync(ct);
        var statsTook = clock.Elapsed;

        clock.Restart();
        using var publish = await admin.PostAsJsonAsync(
            "admin/publish", new AdminPublishRequest(Audience.Users(user), new AdminNotification(NotificationKinds.AdminMessage, "Still", "here")), ct);
        var publishTook = clock.Elapsed;
        var published = await publish.Content.ReadFromJsonAsync(SitukJson.Default.SessionCount, ct);

        clock.Restart();
        using var kick = await admin.DeleteAsync($"admin/users/{user}/sessions", ct);
        var kickTook = clock.Elapsed;
        var closed = await kick.Content.ReadFromJsonAsync(SitukJson.Default.ClosedCount, ct);

        Assert.Multiple(() =>
        {
            Assert.That(sessionsTook, Is.LessThan(AnswerBound), "sessions");
            Assert.That(sessions.Headers.GetValues("Situk-Missing-Brokers"), Is.EqualTo(new[] { "node-c" }));
            Assert.That(listed!.Select(s => s.Node), Is.EquivalentTo(new[] { "node-a", "node-b" }));

            Assert.That(statsTook, Is.LessThan(AnswerBound), "stats");
            Assert.That(stats.Missing, Is.EqualTo(new[] { "node-c" }));
            Assert.That(stats.Brokers!.Select(r => r.Node), Is.EqualTo(new[] { "node-a", "node-b" }));
            Assert.That(stats.Connections, Is.EqualTo(stats.Brokers!.Sum(r => r.Connections)));

            Assert.That(publishTook, Is.LessThan(AnswerBound), "publish");
            Assert.That(published!.Sessions, Is.EqualTo(2), "delivered on A and B");
            Assert.That(published.Missing, Is.EqualTo(new[] { "node-c" }));

            Assert.That(kickTook, Is.LessThan(AnswerBound), "kick");
            Assert.That(closed, Is.EqualTo(new ClosedCount(2, ["node-c"])).Using<ClosedCount>((x, y) => x.Closed == y.Closed && x.Missing!.SequenceEqual(y.Missing!)));
        });
    }
}

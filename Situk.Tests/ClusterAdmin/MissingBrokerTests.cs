using System.Diagnostics;
using System.Net.Http.Json;
using Situk.Contracts;
using Situk.Tests.Broker;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterAdmin;

/// <summary>
/// A broker that died while the others still expect it (its last heartbeat is younger than AdminNodeTtl):
/// broker A's answers come within the deadline, name it missing, and still hold what the live brokers answered.
/// A broker stopped cleanly says goodbye instead, and is no longer expected at once.
/// </summary>
[NonParallelizable]
public sealed class MissingBrokerTests
{
    /// <summary>The deadline, plus room for a loaded machine; a request waiting on the silent broker for good would pass it.</summary>
    private static readonly TimeSpan AnswerBound = AdminCluster.Deadline + TimeSpan.FromSeconds(1);

    [Test]
    [CancelAfter(90_000)]
    [Description("Broker C (a child process) is SIGKILLed; from broker A, sessions, stats, a publish and a user kick answer within deadline + 1 s, name node-c missing, and include A's and B's answers.")]
    public async Task A_killed_broker_is_named_missing_and_the_answer_still_comes_by_the_deadline(CancellationToken ct)
    {
        await using var cluster = await AdminCluster.StartAsync(ct);
        var c = await cluster.AddBrokerProcessAsync("node-c", ct);
        var user = "mb-" + Guid.NewGuid().ToString("N")[..12];
        using var onA = await AdminCluster.ConnectAsync(cluster.A, user, ct);
        using var onB = await AdminCluster.ConnectAsync(cluster.B, user, ct);
        Assert.That((await cluster.A.StatsAsync(ct)).Brokers!.Select(r => r.Node), Is.EqualTo(new[] { "node-a", "node-b", "node-c" }), "all three answer while C runs");

        c.Process.Kill();
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

    [Test]
    [CancelAfter(90_000)]
    [Description(
        "Broker C (a child process) gets SIGTERM; within a few seconds broker A's stats hold two rows and name no broker missing, and its " +
        "sessions answer has no missing header: C said goodbye, so A does not wait for it for AdminNodeTtl (a minute here).")]
    public async Task A_cleanly_stopped_broker_says_goodbye_and_is_not_named_missing(CancellationToken ct)
    {
        await using var cluster = await AdminCluster.StartAsync(ct);
        var c = await cluster.AddBrokerProcessAsync("node-c", ct);
        Assert.That((await cluster.A.StatsAsync(ct)).Brokers!.Select(r => r.Node), Is.EqualTo(new[] { "node-a", "node-b", "node-c" }), "all three answer while C runs");

        var clock = Stopwatch.StartNew();
        c.Process.Terminate();
        BrokerStats? stats = null;
        // A goodbye is one NATS message sent as the host starts stopping: well under a second on an idle machine.
        // Without it C stays expected for AdminNodeTtl (a minute), which this bound catches on any machine.
        var bound = TimeSpan.FromSeconds(5);
        while (clock.Elapsed < bound)
        {
            stats = await cluster.A.StatsAsync(ct);
            if (stats is { Missing: null or { Length: 0 }, Brokers.Length: 2 })
            {
                break;
            }

            await Task.Delay(50, ct);
        }

        var forgotten = clock.Elapsed;
        TestContext.Progress.WriteLine($"SIGTERM → node-c no longer expected by node-a: {forgotten.TotalSeconds:F2} s");
        Assert.That(await c.Process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct), Is.Zero, "node-c exited cleanly");
        using var admin = cluster.A.CreateAdminClient();
        using var sessions = await admin.GetAsync("admin/sessions", ct);
        Assert.Multiple(() =>
        {
            Assert.That(forgotten, Is.LessThan(bound), $"node-c still expected: missing {string.Join(", ", stats?.Missing ?? [])}");
            Assert.That(stats!.Brokers!.Select(r => r.Node), Is.EqualTo(new[] { "node-a", "node-b" }));
            Assert.That(stats.Missing ?? [], Is.Empty);
            Assert.That(sessions.Headers.Contains("Situk-Missing-Brokers"), Is.False, "the sessions answer names no broker missing");
            Assert.That(c.Process.Failures, Is.Empty, "node-c logged no error while stopping");
        });
    }
}

using System.Diagnostics;
using Npgsql;
using Situk.Tests.Support;

namespace Situk.Tests.Faults;

[Category("Faults")]
[NonParallelizable]
[Description(
    "A thousand devices (Situk.Client) on a broker and an API running as child processes, notifications created through REST, " +
    "and one part killed (SIGKILL) or stopped (pg_ctl -m immediate) halfway: every accepted notification reaches its device, " +
    "is stored once, shows once in the REST inbox and ends with delivered_at set. Scaled for CI on two cores: " +
    "1,000 devices × 3,000 notifications per fault; SITUK_FAULT_SCALE=full runs 10,000 per fault.")]
public sealed class RestartUnderLoadTests() : LoadedSystemTests(Devices)
{
    private const int Devices = 1000;
    private const int CiNotifications = 3000;
    private const int FullNotifications = 10_000;
    private const int Concurrency = 8;

    private static int Notifications =>
        string.Equals(Environment.GetEnvironmentVariable("SITUK_FAULT_SCALE"), "full", StringComparison.OrdinalIgnoreCase) ? FullNotifications : CiNotifications;

    [Test]
    [Description("Broker SIGKILLed halfway and restarted on the same ports: devices reconnect with jitter and sync, the relay re-publishes what was not acked.")]
    public async Task Broker_killed_halfway_loses_nothing_and_duplicates_nothing()
    {
        var reconnectsBefore = Stack.Fleet.ReconnectsSoFar;
        await RunWithFaultAsync("broker-kill", (_, ct) => Stack.Broker.Process.RestartAsync(ct));
        Assert.That(Stack.Fleet.ReconnectsSoFar - reconnectsBefore, Is.GreaterThanOrEqualTo(Devices), "every device lost its socket and came back");
    }

    [Test]
    [Description("API SIGKILLed halfway and restarted: requests in flight are retried with their Idempotency-Key, claimed outbox rows that never committed are published again.")]
    public async Task Api_killed_halfway_loses_nothing_and_duplicates_nothing()
    {
        var load = await RunWithFaultAsync("api-kill", (_, ct) => Stack.Api.Process.RestartAsync(ct));
        Assert.That(load.RefusalsMatching("no answer"), Is.GreaterThan(0), "requests met the dead API and were retried");
    }

    [Test]
    [Description("PostgreSQL stopped with -m immediate halfway and started again: REST answers 503 problem+json meanwhile, every 202 is kept.")]
    public async Task Database_stopped_halfway_answers_503_and_keeps_every_accepted_notification()
    {
        // Npgsql itself logs at error level when it cannot roll back a transaction on a connection the
        // server dropped: that is the library reporting the outage, not the API failing to ride it out
        // (the API answers 503 and logs a warning). Any other error line still fails the test.
        var load = await RunWithFaultAsync("db-stop", tolerated: "fail: Npgsql.Transaction[30200]", fault: async (load, ct) =>
        {
            await PostgresServer.RunPgScriptAsync("stop", Stack.DataDir, "immediate");
            // Down until the load has met the outage for a while, then up again on the same port.
            await Eventually.WaitAsync(() => Task.FromResult(load.RefusalsMatching("503") >= 20), TimeSpan.FromSeconds(30), ct);
            await PostgresServer.RunPgScriptAsync("start", Stack.DataDir, Stack.PgPort);
            NpgsqlConnection.ClearAllPools(); // the test's own pooled connections died with the server
        });
        Assert.Multiple(() =>
        {
            Assert.That(load.RefusalsMatching("503 application/problem+json"), Is.GreaterThan(0), "requests during the outage got 503 problem+json");
            Assert.That(load.Refusals.Keys.Where(k => !k.StartsWith("503 application/problem+json", StringComparison.Ordinal)), Is.Empty,
                "nothing but 503 problem+json while PostgreSQL was away");
        });
    }

    /// <summary>
    /// Sends the notifications; when half are accepted, runs <paramref name="fault"/> (the load goes on
    /// meanwhile); then checks every promise.
    /// </summary>
    private async Task<NotificationLoad> RunWithFaultAsync(string name, Func<NotificationLoad, CancellationToken, Task> fault, string? tolerated = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        await Stack.Fleet.WaitAllOpenAsync(ct);
        await Stack.WaitForBrokerLinkAsync(ct);
        var tag = $"{name}-{Guid.NewGuid().ToString("N")[..6]}";
        var (apiFailures, brokerFailures) = (Stack.Api.Process.Failures.Count, Stack.Broker.Process.Failures.Count);
        var load = new NotificationLoad(Stack.Admin, tag);
        var clock = Stopwatch.StartNew();
        var sending = load.RunAsync(Stack.Users, Notifications, Concurrency, ct);

        await load.WaitForAcceptedAsync(Notifications / 2, ct);
        TestContext.Progress.WriteLine($"{name}: {load.AcceptedCount} accepted after {clock.Elapsed.TotalSeconds:F1} s, fault now");
        await fault(load, ct);
        TestContext.Progress.WriteLine($"{name}: recovered after {clock.Elapsed.TotalSeconds:F1} s");
        await sending;
        TestContext.Progress.WriteLine($"{name}: all {Notifications} accepted after {clock.Elapsed.TotalSeconds:F1} s; refusals: " +
            string.Join(", ", load.Refusals.Select(r => $"{r.Key} ×{r.Value}")));

        await AssertEveryPromiseKeptAsync(load, tag, ct);
        Assert.Multiple(() =>
        {
            // A fault the services are built to ride out is logged as a warning; an error or a crash is not riding it out.
            Assert.That(Entries(Stack.Api.Process.Failures.Skip(apiFailures)).Where(e => e[0] != tolerated), Is.Empty, "the API logged no error or critical line");
            Assert.That(Stack.Broker.Process.Failures.Skip(brokerFailures), Is.Empty, "the broker logged no error or critical line");
        });
        TestContext.Progress.WriteLine($"{name}: checked after {clock.Elapsed.TotalSeconds:F1} s");
        return load;
    }

    /// <summary>Failure lines as entries: the <c>fail:</c>/<c>crit:</c> header and the message line after it.</summary>
    private static IEnumerable<string[]> Entries(IEnumerable<string> lines) =>
        lines.Aggregate(new List<List<string>>(), (entries, line) =>
        {
            if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal) || entries.Count == 0)
            {
                entries.Add([]);
            }

            entries[^1].Add(line);
            return entries;
        }).Select(e => e.ToArray());

    private async Task AssertEveryPromiseKeptAsync(NotificationLoad load, string tag, CancellationToken ct)
    {
        var accepted = load.Accepted;
        Assert.That(accepted, Has.Count.EqualTo(Notifications));

        var missing = await Eventually.WaitAsync(
            () => Task.FromResult(accepted.Where(a => !Stack.Fleet.HasReceived(a.User, a.Title)).ToList()),
            TimeSpan.FromSeconds(60), ct);
        Assert.That(missing, Is.Empty, $"{missing.Count} accepted notification(s) never reached their device, e.g. {string.Join(", ", missing.Take(5))}");

        var undelivered = await Eventually.WaitAsync(
            async () => (await Stack.StoredAsync(tag, ct)).Where(s => !s.Delivered).ToList(),
            TimeSpan.FromSeconds(60), ct);
        Assert.That(undelivered, Is.Empty, $"{undelivered.Count} notification(s) without delivered_at, e.g. {string.Join(", ", undelivered.Take(5))}");

        var stored = await Stack.StoredAsync(tag, ct);
        Assert.That(stored.Select(s => (s.User, s.Title)), Is.EquivalentTo(accepted), "stored once each, nothing more");

        var expected = accepted.ToLookup(a => a.User, a => a.Title);
        var wrongInboxes = new List<string>();
        await Parallel.ForEachAsync(Stack.Users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (user, token) =>
        {
            var titles = (await Stack.InboxAsync(user, token)).Select(i => i.Title).Where(t => t.StartsWith(tag, StringComparison.Ordinal)).Order().ToList();
            if (!titles.SequenceEqual(expected[user].Order()))
            {
                lock (wrongInboxes)
                {
                    wrongInboxes.Add($"user {user}: [{string.Join(", ", titles)}]");
                }
            }
        });
        Assert.That(wrongInboxes, Is.Empty, "every inbox holds each of its notifications exactly once");
    }
}

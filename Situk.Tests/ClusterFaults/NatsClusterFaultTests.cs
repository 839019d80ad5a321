using System.Globalization;
using Situk.Tests.Faults;
using Situk.Tests.Support;

namespace Situk.Tests.ClusterFaults;

/// <summary>
/// The transport without a single point of failure: a NATS cluster of three routed <c>nats-server</c>s, broker
/// <c>n</c> and API <c>n</c> at home on server <c>n</c> (each given all three URLs, its home first), devices pinned
/// to each broker, notifications written through REST to one device on every broker at a time. One server is
/// killed or frozen under its broker and API instance: they move to the surviving servers by themselves,
/// routing between brokers resumes, and the outbox with the re-announce after a reconnect brings what NATS
/// dropped in the gap. Each test prints the times it saw.
/// </summary>
[Category("Faults")]
[NonParallelizable]
public sealed class NatsClusterFaultTests
{
    private const int DevicesPerBroker = 100;

    // A killed server is left at once (its sockets close) and the next server tried within a round trip;
    // runs on the loaded 2-core machine saw 0.2–2 s until broker-1 (on the killed server) was handed a
    // notification written after the kill. A client that never leaves a dead server, or waits out NATS.Net's
    // default back-off and 2-minute ping, is the bug this bound is meant to catch; 15 s leaves room for a
    // machine under a load of 100 without hiding a timeout-sized wait.
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(15);

    // A frozen server answers no PING: its clients drop it 4–6 s after the freeze (PING every 2 s, 2 may go
    // unanswered) and connect to the next server. The bound catches the 2-minute default ping.
    private static readonly TimeSpan FrozenLeftBound = TimeSpan.FromSeconds(20);

    [Test]
    [CancelAfter(600_000)]
    [Description(
        "The nats-server under broker-1 and api-1 SIGKILLed while notifications stream to 300 devices on three brokers at home on " +
        "three servers: broker-1 and api-1 reconnect to the surviving servers by themselves, routing resumes within seconds, every " +
        "notification reaches every recipient once, none is stored or shown twice.")]
    public async Task Nats_server_killed_its_broker_and_api_move_to_the_others_and_nothing_is_lost_or_doubled(CancellationToken ct)
    {
        await using var cluster = await ProcessCluster.StartRoutedAsync(await NatsCluster.StartAsync(3, ct), brokerHomes: [0, 1, 2], apiHomes: [0, 1], DevicesPerBroker, ct);
        var nats = cluster.Routed!.Servers;
        await AssertAttachedAsync(nats[0], ["situk-broker-1", "admin-broker-1", "situk-api-1"], ct);
        var onBroker1 = cluster.OnBroker(cluster.Brokers[0]);

        await using var run = new FaultRun(cluster, "nats-node-kill", ct, OneOnEachBroker(cluster));
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct, atLeast: 20);

        var killed = run.Now;
        await nats[0].KillAsync(ct);
        var moved = await AttachedElsewhereAsync(run, nats.Skip(1), ["situk-broker-1", "admin-broker-1", "situk-api-1"], ct);
        var routed = await FirstHandedAfterAsync(run, cluster, onBroker1, killed, ct);
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct, atLeast: DevicesPerBroker);
        await cluster.Routed.WaitUntilRoutedAsync([.. nats.Skip(1)], ct);

        var recovery = await run.StopAndCatchUpAsync(killed, ct);
        await run.AssertEveryPromiseKeptAsync(ct);
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nats-node-kill: broker-1, its admin link and api-1 on a surviving server {(moved - killed).TotalSeconds:F2} s after the kill; " +
            $"first notification written after the kill on a broker-1 device {(routed - killed).TotalSeconds:F2} s after it; " +
            $"everything accepted before the kill delivered {recovery.TotalSeconds:F2} s after it"));
        Assert.That(routed - killed, Is.LessThan(RecoveryBound), "routing to the broker of the killed server resumed within seconds");
    }

    [Test]
    [CancelAfter(300_000)]
    [Description(
        "An API instance at home on server 1 and a broker at home on server 3: notifications it accepts reach the broker's devices " +
        "through the route between the servers, and the broker's receipts come back through it and are stored.")]
    public async Task Notification_and_receipts_cross_the_routes_between_servers(CancellationToken ct)
    {
        await using var cluster = await ProcessCluster.StartRoutedAsync(await NatsCluster.StartAsync(3, ct), brokerHomes: [2], apiHomes: [0], devicesPerBroker: 20, ct);
        var nats = cluster.Routed!.Servers;
        await AssertAttachedAsync(nats[0], ["situk-api-1"], ct);
        await AssertAttachedAsync(nats[2], ["situk-broker-1", "admin-broker-1"], ct);

        await using var run = new FaultRun(cluster, "nats-routes", ct, OneOnEachBroker(cluster));
        await run.WriteForAsync(TimeSpan.FromSeconds(2), ct, atLeast: 20);
        await run.StopAndCatchUpAsync(run.Now, ct);
        // Every row acked (delivered_at) means api-1 on server 1 stored the receipts broker-1 sent on server 3.
        await run.AssertEveryPromiseKeptAsync(ct);
        Assert.That((await nats[1].ClientNamesAsync(ct)).Where(n => n.Contains("situk", StringComparison.Ordinal)), Is.Empty, "server 2 carried no Situk client");
    }

    [Test]
    [CancelAfter(600_000)]
    [Description(
        "The nats-server under broker-1 and api-1 frozen (SIGSTOP) for 10 s, then SIGCONT: its clients find it silent by PING and move " +
        "to the other servers within seconds; nothing is lost or doubled.")]
    public async Task Frozen_nats_server_is_left_by_its_clients_and_nothing_is_lost(CancellationToken ct)
    {
        await using var cluster = await ProcessCluster.StartRoutedAsync(await NatsCluster.StartAsync(3, ct), brokerHomes: [0, 1, 2], apiHomes: [0, 1], devicesPerBroker: 30, ct);
        var nats = cluster.Routed!.Servers;
        await AssertAttachedAsync(nats[0], ["situk-broker-1", "admin-broker-1", "situk-api-1"], ct);

        await using var run = new FaultRun(cluster, "nats-node-freeze", ct, OneOnEachBroker(cluster));
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct, atLeast: 20);

        var frozen = run.Now;
        nats[0].Freeze();
        var moved = await AttachedElsewhereAsync(run, nats.Skip(1), ["situk-broker-1", "admin-broker-1", "situk-api-1"], ct);
        await Task.Delay(frozen + TimeSpan.FromSeconds(10) - run.Now is { Ticks: > 0 } left ? left : TimeSpan.Zero, ct);
        nats[0].Thaw();
        var thawed = run.Now;
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct, atLeast: 20);

        await run.StopAndCatchUpAsync(frozen, ct);
        await run.AssertEveryPromiseKeptAsync(ct);
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nats-node-freeze: broker-1, its admin link and api-1 on another server {(moved - frozen).TotalSeconds:F2} s after SIGSTOP; thawed at {(thawed - frozen).TotalSeconds:F1} s"));
        Assert.That(moved - frozen, Is.LessThan(FrozenLeftBound), "the frozen server's clients left it within seconds");
    }

    // Notification i goes to the i-th device (round robin) of every broker.
    private static Func<int, long[]> OneOnEachBroker(ProcessCluster cluster)
    {
        var onBroker = cluster.Brokers.Select(cluster.OnBroker).ToList();
        return i => [.. onBroker.Select(users => users[i % users.Count])];
    }

    private static async Task AssertAttachedAsync(NatsServer server, string[] names, CancellationToken ct)
    {
        var attached = await server.ClientNamesAsync(ct);
        Assert.That(attached, Is.SupersetOf(names), "each process starts on its home server");
    }

    // When every one of names was connected to one of servers (polled every 100 ms, at most 60 s).
    private static async Task<TimeSpan> AttachedElsewhereAsync(FaultRun run, IEnumerable<NatsServer> servers, string[] names, CancellationToken ct)
    {
        var left = await Eventually.WaitAsync(async () =>
        {
            var attached = new HashSet<string>(StringComparer.Ordinal);
            foreach (var server in servers)
            {
                attached.UnionWith(await server.ClientNamesAsync(ct));
            }

            return names.Except(attached).ToList();
        }, TimeSpan.FromSeconds(60), ct);
        Assert.That(left, Is.Empty, "the clients of the lost server connected to a surviving one");
        return run.Now;
    }

    // When a device of users was first handed a notification accepted after since (at most 60 s).
    private static async Task<TimeSpan> FirstHandedAfterAsync(FaultRun run, ProcessCluster cluster, IReadOnlyList<long> users, TimeSpan since, CancellationToken ct)
    {
        TimeSpan? First() => run.Writer.Accepted.Where(w => w.AcceptedAt > since)
            .SelectMany(w => w.Users.Where(users.Contains).Select(u => cluster.Devices.FirstHandedAt(u, w.Title)))
            .Where(at => at is not null).Min();
        await Eventually.WaitAsync(() => Task.FromResult(First() is not null), TimeSpan.FromSeconds(60), ct);
        return First() ?? throw new AssertionException("no notification written after the fault reached the broker on the lost server within 60 s");
    }
}

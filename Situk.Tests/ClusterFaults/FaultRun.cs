using Situk.Tests.Faults;

namespace Situk.Tests.ClusterFaults;

/// <summary>
/// The steady REST writing one fault test runs across its fault, and the checks every such test ends
/// with: nothing lost, nothing stored or shown twice, everything acked by a device.
/// </summary>
internal sealed class FaultRun : IAsyncDisposable
{
    // One request at a time, at most 20 notifications a second: steady, and light enough for two loaded cores
    // (where a request takes 50–200 ms, so 5–20 a second).
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    private readonly ProcessCluster _cluster;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writing;

    /// <param name="recipients">Who notification <c>i</c> goes to; default one device pinned to broker A and one pinned to B.</param>
    /// <param name="interval">The shortest time between two writes; default 50 ms.</param>
    public FaultRun(ProcessCluster cluster, string name, CancellationToken ct, Func<int, long[]>? recipients = null, TimeSpan? interval = null)
    {
        _cluster = cluster;
        Name = name;
        Tag = $"{name}-{Guid.NewGuid().ToString("N")[..6]}";
        Writer = new SteadyWriter(cluster.Admins, Tag, cluster.Clock);
        if (recipients is null)
        {
            var (onA, onB) = (cluster.OnA, cluster.OnB);
            recipients = i => [onA[i % onA.Count], onB[i % onB.Count]];
        }

        _writing = Writer.RunAsync(recipients, interval ?? DefaultInterval, _stop.Token, ct);
    }

    public string Name { get; }

    public string Tag { get; }

    public SteadyWriter Writer { get; }

    public TimeSpan Now => _cluster.Clock.Elapsed;

    private DeviceFleet Devices => _cluster.Devices;

    /// <summary>
    /// Lets the writing go on for <paramref name="duration"/>, and on until <paramref name="atLeast"/> more
    /// notifications were accepted (none by default): on a loaded machine a fixed time may see few or none.
    /// </summary>
    public async Task WriteForAsync(TimeSpan duration, CancellationToken ct, int atLeast = 0)
    {
        var target = Writer.AcceptedCount + atLeast;
        await Task.Delay(duration, ct);
        while (Writer.AcceptedCount < target)
        {
            await Task.Delay(100, ct);
        }
    }

    /// <summary>
    /// Stops writing and waits (bounded) until every accepted notification is on each recipient's device.
    /// Returns the recovery time: from <paramref name="recoveredFrom"/> (the fault's end, or the kill when
    /// nothing comes back) until the last notification accepted before then was on its devices.
    /// </summary>
    public async Task<TimeSpan> StopAndCatchUpAsync(TimeSpan recoveredFrom, CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _writing;
        var missing = await Eventually.WaitAsync(() => Task.FromResult(Missing().ToList()), TimeSpan.FromSeconds(60), ct);
        Assert.That(missing, Is.Empty, $"{missing.Count} accepted notification(s) never reached their device, e.g. {string.Join(", ", missing.Take(5))}");

        var lastHanded = LastHandedAt(Writer.Accepted.Where(w => w.AcceptedAt <= recoveredFrom)) ?? recoveredFrom;
        var recovery = lastHanded > recoveredFrom ? lastHanded - recoveredFrom : TimeSpan.Zero;
        var worst = Writer.Accepted.SelectMany(w => w.Users.Select(u => Devices.FirstHandedAt(u, w.Title)!.Value - w.AcceptedAt)).Max();
        TestContext.Progress.WriteLine(
            $"{Name}: {Writer.Accepted.Count} notifications ({Writer.Accepted.Sum(w => w.Users.Length)} deliveries) accepted; recovery {recovery.TotalSeconds:F2} s " +
            $"(last notification accepted before {recoveredFrom.TotalSeconds:F1} s on its devices at {lastHanded.TotalSeconds:F1} s); " +
            $"worst 202→device {worst.TotalSeconds:F2} s; re-sent ids dropped by clients: {Devices.DuplicatesDropped}; " +
            $"reconnects: {Devices.ReconnectsSoFar}; retried writes: " +
            string.Join(", ", Writer.Refusals.Select(r => $"{r.Key} ×{r.Value}")));
        return recovery;
    }

    /// <summary>When the last of <paramref name="written"/> was first on each of its recipients' devices; null if one is not yet.</summary>
    public TimeSpan? LastHandedAt(IEnumerable<Written> written)
    {
        TimeSpan? last = null;
        foreach (var (user, title) in written.SelectMany(w => w.Users.Select(u => (u, w.Title))))
        {
            if (Devices.FirstHandedAt(user, title) is not { } at)
            {
                return null;
            }

            last = last is null || at > last ? at : last;
        }

        return last;
    }

    /// <summary>Each accepted notification stored once per recipient, acked (delivered_at set), handed once, and once in every REST inbox.</summary>
    public async Task AssertEveryPromiseKeptAsync(CancellationToken ct)
    {
        var expected = Writer.Accepted.SelectMany(w => w.Users.Select(u => (User: u, w.Title))).ToList();

        var undelivered = await Eventually.WaitAsync(
            async () => (await _cluster.StoredAsync(Tag, ct)).Where(s => !s.Delivered).ToList(), TimeSpan.FromSeconds(60), ct);
        Assert.That(undelivered, Is.Empty, $"{undelivered.Count} notification(s) never acked by a device (delivered_at unset), e.g. {string.Join(", ", undelivered.Take(5))}");

        // A row an instance published by its hand-off and died before marking stays pending for the hold (5 s), until a
        // relay of another instance forwards it again (its devices drop the repeated id).
        var pendingSql = $"SELECT count(*) FROM push_outbox o JOIN notifications n ON n.id = o.notification_id WHERE o.state = 'pending' AND starts_with(n.title, '{Tag}')";
        var drained = await Eventually.WaitAsync(async () => await _cluster.ScalarAsync<long>(pendingSql, ct) == 0, TimeSpan.FromSeconds(60), ct);
        Assert.That(drained, Is.True, "the outbox was drained: no row of this run is still pending");

        var stored = await _cluster.StoredAsync(Tag, ct);
        Assert.That(stored.Select(s => (s.User, s.Title)), Is.EquivalentTo(expected), "each accepted notification stored once per recipient, nothing more");

        var handedTwice = expected.Where(e => Devices.Handed(e.User, e.Title) != 1).ToList();
        Assert.That(handedTwice, Is.Empty, "a device was handed a notification twice under two ids (a re-sent id is dropped by the client; two ids are two stored rows)");

        var expectedByUser = expected.ToLookup(e => e.User, e => e.Title);
        var wrongInboxes = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Devices.Users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (user, token) =>
        {
            var titles = (await _cluster.InboxTitlesAsync(user, token)).Where(t => t.StartsWith(Tag, StringComparison.Ordinal)).Order().ToList();
            if (!titles.SequenceEqual(expectedByUser[user].Order()))
            {
                wrongInboxes.Add($"user {user}: {titles.Count} shown, {expectedByUser[user].Count()} expected");
            }
        });

        Assert.That(wrongInboxes, Is.Empty, "every REST inbox holds each of its notifications exactly once");

        // A fault the services are built to ride out is logged as a warning; an error or a crash is not riding it out.
        var failures = _cluster.Processes.SelectMany(p => p.Failures.Select(f => $"{p.Name} :{p.HealthUrl.Port}: {f}")).ToList();
        Assert.That(failures, Is.Empty, "no broker or API instance logged an error or critical line");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private IEnumerable<(long User, string Title)> Missing() =>
        Writer.Accepted.SelectMany(w => w.Users.Where(u => Devices.Handed(u, w.Title) == 0).Select(u => (u, w.Title)));
}

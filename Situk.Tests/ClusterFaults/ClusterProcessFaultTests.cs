namespace Situk.Tests.ClusterFaults;

/// <summary>
/// Faults a cluster of real processes must ride out: nats-server, two brokers and two API instances as child
/// processes, 25 devices (Situk.Client) pinned to each broker, notifications written through REST at a steady
/// pace (one request at a time, at most 20 a second, each to a device on A and one on B) before, during and after the fault. Each test ends
/// with every promise checked and prints the recovery time it saw.
/// </summary>
[Category("Faults")]
[NonParallelizable]
public sealed class ClusterProcessFaultTests
{
    private const int DevicesPerBroker = 25;

    [Test]
    [CancelAfter(180_000)]
    [Description("nats-server SIGKILLed for 3 s mid-stream and started again on the same port: brokers and APIs reconnect by themselves, the outbox catches up, nothing is lost or doubled.")]
    public async Task Nats_server_killed_and_restarted_mid_stream_loses_nothing(CancellationToken ct)
    {
        await using var cluster = await ProcessCluster.StartPinnedAsync(DevicesPerBroker, ct);
        await using var run = new FaultRun(cluster, "nats-restart", ct);
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct);

        await cluster.Nats.KillAsync(ct);
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct);
        await cluster.Nats.StartAgainAsync(ct);
        var back = run.Now;
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct);

        await run.StopAndCatchUpAsync(back, ct);
        await run.AssertEveryPromiseKeptAsync(ct);
    }

    [Test]
    [CancelAfter(180_000)]
    [Description("One of two API instances SIGKILLed while notifications are written to both: the writes go on on the other, its relays take over the whole outbox and it stores every receipt.")]
    public async Task Api_instance_killed_the_other_takes_over_the_outbox_and_receipts(CancellationToken ct)
    {
        await using var cluster = await ProcessCluster.StartPinnedAsync(DevicesPerBroker, ct);
        await using var run = new FaultRun(cluster, "api-kill", ct);
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct);

        cluster.Api2.Process.Kill();
        var killed = run.Now;
        await run.WriteForAsync(TimeSpan.FromSeconds(5), ct);

        await run.StopAndCatchUpAsync(killed, ct);
        await run.AssertEveryPromiseKeptAsync(ct);
        var afterKill = run.Writer.Accepted.Count(w => w.AcceptedAt > killed);
        Assert.Multiple(() =>
        {
            Assert.That(run.Writer.Refusals.Where(r => r.Key.StartsWith("no answer", StringComparison.Ordinal)).Sum(r => r.Value), Is.GreaterThan(0),
                "writes met the dead instance and were sent to the other");
            Assert.That(afterKill, Is.GreaterThan(0), "notifications were written after the kill, and their receipts were stored (checked above)");
        });
    }

    [Test]
    [CancelAfter(180_000)]
    [Description(
        "Broker A frozen (SIGSTOP) for 8 s, then SIGCONT: devices on broker B keep getting their notifications during the freeze; " +
        "afterwards A's devices get what was written meanwhile, nothing lost or doubled. 8 s rather than 30 s: neither trips a " +
        "timer (client keep-alive 25 s + 15 s, NATS server ping 2 min), so a longer freeze adds run time and no other path.")]
    public async Task Frozen_broker_does_not_stop_the_other_and_catches_up_after_SIGCONT(CancellationToken ct)
    {
        await using var cluster = await ProcessCluster.StartPinnedAsync(DevicesPerBroker, ct);
        await using var run = new FaultRun(cluster, "broker-freeze", ct);
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct);

        cluster.A.Process.Freeze();
        var frozen = run.Now;
        await run.WriteForAsync(TimeSpan.FromSeconds(8), ct);
        var thawing = run.Now;

        // Before SIGCONT: what was accepted in the freeze's first 5 s is on its B device already.
        var duringFreeze = run.Writer.Accepted.Where(w => w.AcceptedAt > frozen && w.AcceptedAt < thawing - TimeSpan.FromSeconds(3)).ToList();
        var lateOnB = duringFreeze.Where(w => cluster.Devices.FirstHandedAt(w.Users[1], w.Title) is not { } at || at > thawing).Select(w => w.Title).ToList();
        var worstOnB = duringFreeze.Select(w => cluster.Devices.FirstHandedAt(w.Users[1], w.Title) - w.AcceptedAt).Max();
        TestContext.Out.WriteLine($"broker-freeze: {duringFreeze.Count} written in the freeze's first 5 s; worst 202→device on B during the freeze {worstOnB?.TotalSeconds:F2} s");
        Assert.That(duringFreeze, Is.Not.Empty, "notifications were written during the freeze");
        Assert.That(lateOnB, Is.Empty, "devices on broker B got their notifications while A was frozen");

        cluster.A.Process.Thaw();
        var thawed = run.Now;
        await run.WriteForAsync(TimeSpan.FromSeconds(3), ct);

        await run.StopAndCatchUpAsync(thawed, ct);
        await run.AssertEveryPromiseKeptAsync(ct);
    }
}

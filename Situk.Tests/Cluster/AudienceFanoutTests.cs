using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using Situk.Broker.Cluster;
using Situk.Broker.Fanout;
using Situk.Broker.Internal;
using Situk.Broker.Options;
using Situk.Broker.Sessions;
using Situk.Broker.Telemetry;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Cluster;

[Description("A broadcast's fan-out runs off the broker's NATS reader: while it is still going, the reader answers the server's "
    + "pings and delivers a user's notification at once, and broadcasts still reach the sessions in the order they came.")]
[NonParallelizable]
public sealed class AudienceFanoutTests
{
    /// <summary>A reader that is free answers in milliseconds; one held by the fan-out would wait for the gate.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1);

    [Test]
    [CancelAfter(30_000)]
    [Description("A broadcast whose fan-out is held at a gate (as a long fan-out on a loaded machine is): a ping on the same "
        + "connection and a message on a user's subject both complete within 1 s, and the broadcasts are delivered in order once the gate opens.")]
    public async Task A_fan_out_in_progress_holds_up_neither_pings_nor_a_users_notification(CancellationToken ct)
    {
        await using var nats = await NatsServer.StartAsync(ct);
        await using var broker = new NatsConnection(NatsOpts.Default with { Url = nats.Url, Name = "broker" });
        await using var api = new NatsConnection(NatsOpts.Default with { Url = nats.Url, Name = "api" });
        await broker.ConnectAsync();
        await api.ConnectAsync();

        var publisher = new Publisher(
            new SessionRegistry(Microsoft.Extensions.Options.Options.Create(new BrokerOptions()), new LinkRegistry()),
            new BrokerMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()),
            TimeProvider.System);
        var fanout = new AudienceFanout(publisher, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = fanout.RunAsync(stop.Token);

        using var gate = new ManualResetEventSlim(false);
        var order = new List<string>();
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var userReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var counters = new ClusterCounters();
        await broker.AddSubAsync(new RoutedSubscription(broker, ClusterSubjects.All, publisher, () => Held("first", order, firstEntered, gate), null, counters, fanout), ct);
        await broker.AddSubAsync(new RoutedSubscription(broker, ClusterSubjects.Role(Roles.Asesi), publisher, () => Held("second", order, null, gate), null, counters, fanout), ct);
        await broker.AddSubAsync(new RoutedSubscription(broker, ClusterSubjects.User("7"), publisher, () => Reached(userReached), "7", counters, fanout), ct);
        await broker.PingAsync(ct);

        try
        {
            await api.PublishAsync(ClusterSubjects.All, "{}"u8.ToArray(), cancellationToken: ct);
            await api.PublishAsync(ClusterSubjects.Role(Roles.Asesi), "{}"u8.ToArray(), cancellationToken: ct);
            await firstEntered.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);

            var ping = broker.PingAsync(ct).AsTask();
            await api.PublishAsync(ClusterSubjects.User("7"), "{}"u8.ToArray(), cancellationToken: ct);

            Assert.That(await Completes(ping), Is.True, "the reader did not answer a ping while a broadcast was being fanned out");
            Assert.That(await Completes(userReached.Task), Is.True, "a user's notification waited behind a broadcast's fan-out");
        }
        finally
        {
            gate.Set();
        }

        await WaitUntil(() => { lock (order) { return order.Count == 2; } }, ct);
        await stop.CancelAsync();
        await running.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.That(order, Is.EqualTo(new[] { "first", "second" }), "broadcasts reach the sessions in the order they came");
    }

    /// <summary>An audience whose resolution waits for <paramref name="gate"/>, as a fan-out to many sessions takes its time.</summary>
    private static IEnumerable<Session> Held(string name, List<string> order, TaskCompletionSource? entered, ManualResetEventSlim gate)
    {
        entered?.TrySetResult();
        gate.Wait();
        lock (order)
        {
            order.Add(name);
        }

        yield break;
    }

    private static IEnumerable<Session> Reached(TaskCompletionSource reached)
    {
        reached.TrySetResult();
        yield break;
    }

    private static async Task<bool> Completes(Task task) => await Task.WhenAny(task, Task.Delay(Prompt)) == task;

    private static async Task WaitUntil(Func<bool> condition, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(5));
        while (!condition())
        {
            await Task.Delay(10, bound.Token);
        }
    }
}

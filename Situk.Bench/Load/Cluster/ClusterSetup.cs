using System.Diagnostics;
using Situk.Bench.Load.Targets;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// One setup of one run: the single broker (internal socket, no NATS) or the cluster (nats-server, N brokers,
/// the API's queue group answered by <see cref="ApiStandIn"/>), the devices opened by the load agents, then
/// the phases: connect, idle, broadcasts timed to the last device, one-to-one publishes at each rate.
/// Everything it started is stopped when it returns.
/// </summary>
internal static class ClusterSetup
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    /// <summary>Ids of one-to-one publishes start here, one block per rate; broadcast probes use 1, 2, …</summary>
    private const long OneToOneFirstId = 1_000_000;

    public static async Task<SetupResult> RunAsync(ClusterOptions options, bool cluster)
    {
        var brokerCount = cluster ? options.Brokers : 1;
        var devices = cluster ? options.Devices : options.Devices / options.Brokers;
        var name = cluster ? $"cluster of {brokerCount}" : "single node";
        var result = new SetupResult(cluster ? "cluster" : "single", brokerCount, devices);
        Console.WriteLine($"== {name}: {devices:N0} devices over {options.Agents} load processes");

        await using var nats = cluster ? await NatsServerProcess.StartAsync() : null;
        await using var standIn = nats is null ? null : await ApiStandIn.StartAsync(nats.Url);
        var brokers = new List<SitukTarget>();
        try
        {
            for (var b = 0; b < brokerCount; b++)
            {
                var broker = new SitukTarget { NatsUrl = nats?.Url, NodeName = $"broker-{b + 1}" };
                brokers.Add(broker);
                await broker.StartAsync(new LoadOptions());
            }

            var processes = brokers.Select(b => b.Process).ToArray();
            await using IClusterPublisher publisher = nats is null
                ? new InternalSocketPublisher(await brokers[0].ConnectPublisherAsync(CancellationToken.None))
                : await NatsPublisher.ConnectAsync(nats.Url);
            await using var sampler = new PeakSampler(name, processes, nats?.Process);
            if (nats is not null)
            {
                result.Nats = new ProcessCost { RssIdle = nats.Process.RssBytes() };
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            result.RssIdle = processes.Sum(p => p.RssBytes());

            sampler.Phase = "connect";
            await using var fleet = AgentFleet.Start([.. brokers.Select(b => b.DevicePort)], devices, options.Agents, options.RampPerSecond, options.DevicesPerAddress);
            var connected = await MeasureAsync(result, nats, processes, "connect",
                () => fleet.ConnectedAsync(LoadAgent.ConnectDeadline(devices, options.RampPerSecond) + TimeSpan.FromSeconds(30)));
            result.Connected = connected.Sum(c => c.Open);
            result.ConnectSeconds = connected.Max(c => c.Seconds);
            foreach (var (why, n) in connected.SelectMany(c => c.Refused))
            {
                result.Refused[why] = result.Refused.GetValueOrDefault(why) + n;
            }

            if (standIn is not null)
            {
                // A broker subscribes to a user's subject after the device connected; until then NATS drops what is
                // published to that user (the API re-sends it on the "online" that follows). Time that, then measure.
                sampler.Phase = "follow";
                result.FollowLagSeconds = await WaitFollowedAsync(standIn, result.Connected);
                Console.WriteLine($"  [{name}] every broker listened for all {result.Connected:N0} users {result.FollowLagSeconds:0.0} s after the last connect");
            }

            sampler.Phase = "idle";
            await Task.Delay(Settle);
            result.RssConnected = processes.Sum(p => p.RssBytes());
            if (result.Nats is { } natsCost)
            {
                natsCost.RssConnected = nats!.Process.RssBytes();
            }

            sampler.Phase = "broadcast";
            await MeasureAsync(result, nats, processes, "broadcast", async () =>
            {
                for (var i = 0; i < options.Probes; i++)
                {
                    var (lastMs, received, expected) = await fleet.BroadcastAsync(publisher, i + 1);
                    result.ProbeMs.Add(lastMs);
                    result.ProbeReceived += received;
                    result.ProbeExpected += expected;
                    Console.WriteLine($"  [{name}] broadcast {i + 1}: last of {expected:N0} devices after {lastMs:0.0} ms, {received:N0} received");
                    await Task.Delay(500); // let the acks settle before the next one is timed
                }

                return 0;
            });

            for (var r = 0; r < options.OneToOneRates.Length; r++)
            {
                var rate = options.OneToOneRates[r];
                sampler.Phase = $"1:1 {rate}/s";
                var (delays, sent, received) = await MeasureAsync(result, nats, processes, $"one-to-one {rate}/s",
                    () => fleet.OneToOneAsync(publisher, OneToOneFirstId * (r + 1), rate, options.OneToOneSeconds));
                var one = new OneToOneResult(rate, sent, received, delays);
                result.OneToOne.Add(one);
                Console.WriteLine($"  [{name}] one-to-one {rate}/s: {received:N0}/{sent:N0} received, p50 {one.P50Ms:0.00} ms, p99 {one.P99Ms:0.00} ms, max {one.MaxMs:0.0} ms");
            }

            var reports = await Task.WhenAll(fleet.Agents.Select(a => a.ReportAsync()));
            result.HeldAtEnd = reports.Sum(r => r.Open);
            foreach (var (why, n) in reports.SelectMany(r => r.Closed))
            {
                result.Closed[why] = result.Closed.GetValueOrDefault(why) + n;
            }

            result.BrokersAlive = processes.All(p => !p.HasExited);
            result.RssPeak = Math.Max(sampler.BrokersPeak, processes.Sum(p => p.RssBytes()));
            if (result.Nats is { } cost)
            {
                cost.RssPeak = Math.Max(sampler.NatsPeak, nats!.Process.RssBytes());
            }

            Console.WriteLine($"== {name}: held {result.HeldAtEnd:N0} of {devices:N0}, brokers alive: {result.BrokersAlive}, " +
                $"{result.RssPerDevice / 1024:0.00} KiB per device, losses {result.Losses}{(standIn is null ? "" : $", {standIn.ReceiptBatches:N0} receipt batches answered")}");
            return result;
        }
        finally
        {
            foreach (var broker in brokers)
            {
                await broker.DisposeAsync();
            }
        }
    }

    private static async Task<double> WaitFollowedAsync(ApiStandIn standIn, int users)
    {
        var clock = Stopwatch.StartNew();
        while (standIn.OnlineAnnouncements < users && clock.Elapsed < FollowDeadline)
        {
            await Task.Delay(50);
        }

        return standIn.OnlineAnnouncements >= users ? clock.Elapsed.TotalSeconds : double.PositiveInfinity;
    }

    private static readonly TimeSpan FollowDeadline = TimeSpan.FromSeconds(180);

    /// <summary>Runs a phase and books the CPU the brokers (together) and nats-server used in it, in % of one core.</summary>
    private static async Task<T> MeasureAsync<T>(SetupResult result, NatsServerProcess? nats, ChildProcess[] brokers, string phase, Func<Task<T>> run)
    {
        var clock = Stopwatch.StartNew();
        var brokersBefore = brokers.Sum(b => b.CpuSeconds());
        var natsBefore = nats?.Process.CpuSeconds() ?? 0;
        var value = await run();
        var seconds = clock.Elapsed.TotalSeconds;
        result.BrokerCost.CpuPercent[phase] = (brokers.Sum(b => b.CpuSeconds()) - brokersBefore) * 100 / seconds;
        if (result.Nats is { } cost)
        {
            cost.CpuPercent[phase] = (nats!.Process.CpuSeconds() - natsBefore) * 100 / seconds;
        }

        return value;
    }
}

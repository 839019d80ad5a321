using Situk.Bench.EndToEnd;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// REST commit → device on a real PostgreSQL (the <c>e2e</c> command's system, devices and REST phase): one
/// broker and one API instance on the internal socket, or the cluster (nats-server, N brokers, M API
/// instances), with the same devices connected, at each REST rate.
/// </summary>
internal static class RestSetup
{
    public static async Task<RestResult> RunAsync(ClusterOptions options, bool cluster)
    {
        var brokers = cluster ? options.Brokers : 1;
        var apis = cluster ? options.Apis : 1;
        Console.WriteLine($"== REST, {(cluster ? $"{brokers} brokers and {apis} API instances on NATS" : "one broker and one API instance")}: {options.RestDevices:N0} devices");
        await using var system = await SitukSystem.StartAsync(brokers, apis);
        var users = await system.CreateCandidatesAsync(options.RestDevices);
        DelayRecorder? current = null;
        await using var devices = new EndToEndDevices(_ => Volatile.Read(ref current));
        await devices.ConnectAsync(system, users, TimeSpan.FromMinutes(2));
        if (system.Nats is { } nats)
        {
            // Measure once every broker listens for every user (until then an API instance re-sends on "online").
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (await nats.UserSubscriptionsAsync() < devices.Connected && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(200);
            }
        }
        var admins = await EndToEndCommand.AdminClientsAsync(system);
        try
        {
            void Use(DelayRecorder r) => Volatile.Write(ref current, r);
            await EndToEndCommand.WarmUpAsync(admins, users, Use, options.RestRates[0], options.RestWarmUpSeconds);
            var result = new RestResult(cluster ? "cluster" : "single", devices.Connected);
            foreach (var rate in options.RestRates)
            {
                var (delays, calls, refused) = await EndToEndCommand.RestPhaseAsync(admins, users, Use, $"REST {rate}/s", rate * options.RestSeconds, rate);
                var one = new RestRateResult(rate, delays.Expected, delays.Received, delays.Duplicates, refused, delays.Snapshot(), calls);
                result.Rates.Add(one);
                Console.WriteLine($"  [REST {result.Setup}] {rate}/s: {one.Received:N0}/{one.Sent:N0} received, {refused} refused, p50 {one.P50Ms:0.00} ms, p99 {one.P99Ms:0.00} ms");
            }

            return result;
        }
        finally
        {
            foreach (var admin in admins)
            {
                admin.Dispose();
            }
        }
    }
}

internal sealed record RestResult(string Setup, int Devices)
{
    public List<RestRateResult> Rates { get; } = [];
}

internal sealed record RestRateResult(int Rate, int Sent, long Received, int Duplicates, int Refused, HdrHistogram.LongHistogram Delays, HdrHistogram.LongHistogram Calls) : IRatePoint
{
    public double P50Ms => Delays.TotalCount == 0 ? double.NaN : Delays.GetValueAtPercentile(50) / 1000.0;

    public double P99Ms => Delays.TotalCount == 0 ? double.NaN : Delays.GetValueAtPercentile(99) / 1000.0;
}

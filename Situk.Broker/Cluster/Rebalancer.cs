using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Situk.Broker.Sessions;
using Situk.Contracts;

namespace Situk.Broker.Cluster;

/// <summary>
/// Evens out device sessions across the cluster after devices piled onto one broker (a rolling restart leaves the
/// last restarted broker empty; an outage of the others leaves everything on the survivor). Every
/// <c>Interval</c> the broker gathers the cluster's stats as <c>/admin/stats</c> does and, when it holds clearly more
/// than its share (<see cref="RebalancePlan"/>), closes that many of its sessions with 1001 "rebalance", at most
/// <c>PerSecond</c> a second. The clients take 1001 as "this broker is going away" and reconnect to the next URL in
/// their list; the broker they reach announces them online and an API instance re-sends what is pending, so nothing
/// is lost. It never sheds while another broker is missing or when it is the only broker.
/// </summary>
internal sealed class Rebalancer(
    IOptions<RebalanceOptions> options, ClusterAdmin cluster, SessionRegistry registry, TimeProvider time, ILogger<Rebalancer> logger) : BackgroundService
{
    public const string Reason = "rebalance";

    private readonly RebalanceOptions _options = options.Value;
    private long _moved;
    private int _previousExcess;

    /// <summary>Sessions this broker closed to move them since it started.</summary>
    public long Moved => Interlocked.Read(ref _moved);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(Jitter(_options.Interval, 0.2), time, stoppingToken);
                try
                {
                    await RebalanceOnceAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A check that failed (NATS away, an answer not understood) must not end the loop, nor stop the
                    // host, as an unhandled exception in a background service does: the next interval tries again.
                    _previousExcess = 0;
                    RebalancerLog.CheckFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the host closes every session with 1001 anyway.
        }
    }

    private async Task RebalanceOnceAsync(CancellationToken ct)
    {
        var gathered = await cluster.AskAsync(AdminOps.Stats, new AdminQuery(), ct);
        var counts = gathered.Answers.Select(a => a.Stats?.Connections ?? 0).ToList();
        var mine = registry.Count;
        // One interval's worth at most: the counts are re-gathered before more go, so devices already moving are seen.
        var cap = (int)Math.Min(int.MaxValue, _options.PerSecond * Math.Max(1, _options.Interval.TotalSeconds));
        var seen = RebalancePlan.Excess(mine, counts, gathered.Missing.Length, _options, cap);
        var excess = RebalancePlan.Confirmed(_previousExcess, seen);
        _previousExcess = seen;
        if (excess == 0)
        {
            return;
        }

        RebalancerLog.Shedding(logger, mine, counts.Sum() / (double)counts.Count, counts.Count, excess);
        var sessions = registry.All.ToArray();
        Random.Shared.Shuffle(sessions);
        var pause = TimeSpan.FromSeconds(1.0 / _options.PerSecond);
        var moved = 0;
        foreach (var session in sessions)
        {
            if (moved == excess)
            {
                break;
            }

            if (session.Close(CloseCodes.GoingAway, Reason))
            {
                moved++;
                Interlocked.Increment(ref _moved);
                await Task.Delay(Jitter(pause, 0.5), time, ct);
            }
        }
    }

    /// <summary><paramref name="delay"/> ± <paramref name="spread"/> of it, so brokers and sessions do not move in step.</summary>
    private static TimeSpan Jitter(TimeSpan delay, double spread) =>
        delay * (1 - spread + (2 * spread * Random.Shared.NextDouble()));
}

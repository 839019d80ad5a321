using System.Diagnostics;
using HdrHistogram;

namespace Situk.Bench.Load.Cluster;

/// <summary>
/// The devices of one setup, spread over several load agents (contiguous index ranges, so each agent has its
/// own loopback source addresses) and over the brokers (device <c>i</c> on broker <c>i mod n</c>, as a
/// <c>least_conn</c> load balancer would spread them). Runs the timed phases across all agents.
/// </summary>
internal sealed class AgentFleet : IAsyncDisposable
{
    /// <summary>Longest wait for one broadcast, or for the last one-to-one deliveries after the last send.</summary>
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(30);

    private readonly List<AgentProcess> _agents;
    private readonly HashSet<int> _missing = [];

    private AgentFleet(List<AgentProcess> agents, int devices)
    {
        _agents = agents;
        Devices = devices;
    }

    public int Devices { get; }

    public IReadOnlyList<AgentProcess> Agents => _agents;

    public static AgentFleet Start(int[] devicePorts, int devices, int agents, int ramp, int devicesPerAddress)
    {
        var list = new List<AgentProcess>(agents);
        var per = (devices + agents - 1) / agents;
        for (var a = 0; a < agents; a++)
        {
            var first = a * per;
            var count = Math.Min(per, devices - first);
            if (count > 0)
            {
                // Each agent ramps at its share of the rate, so the fleet as a whole opens `ramp` a second.
                list.Add(AgentProcess.Start($"agent-{a + 1}", devicePorts, first, count, Math.Max(1, ramp / agents), devicesPerAddress));
            }
        }

        return new AgentFleet(list, devices);
    }

    /// <summary>Waits until every agent has opened its devices; returns what they report.</summary>
    public async Task<AgentConnected[]> ConnectedAsync(TimeSpan deadline)
    {
        var connected = await Task.WhenAll(_agents.Select(a => a.ConnectedAsync(deadline)));
        _missing.UnionWith(connected.SelectMany(c => c.Missing));
        return connected;
    }

    public async Task<int> OpenAsync() => (await Task.WhenAll(_agents.Select(a => a.CountAsync()))).Sum(c => c.Open);

    /// <summary>One 64 B broadcast to every device; the time until the last device had it (ms), the deliveries and those owed.</summary>
    public async Task<(double LastMs, long Received, long Expected)> BroadcastAsync(IClusterPublisher publisher, long id)
    {
        var expected = (await Task.WhenAll(_agents.Select(a => a.BookAsync(id, 1, broadcast: true)))).Sum();
        await publisher.BroadcastAsync(id, 64, CancellationToken.None);
        await WaitReceivedAsync(expected);
        var reports = await Task.WhenAll(_agents.Select(a => a.ReportAsync()));
        var received = reports.Sum(r => (long)r.Received[0]);
        var last = reports.Where(r => r.LastMs[0] >= 0).Select(r => r.LastMs[0]).DefaultIfEmpty(double.NaN).Max();
        return (last, received, expected);
    }

    /// <summary>
    /// <paramref name="rate"/> one-to-one publishes a second for <paramref name="seconds"/>, each to the next connected
    /// device's user (a stride through all of them), then drained: the delays, and how many were sent and received.
    /// </summary>
    public async Task<(LongHistogram Delays, int Sent, long Received)> OneToOneAsync(IClusterPublisher publisher, long firstId, int rate, int seconds)
    {
        var count = rate * seconds;
        await Task.WhenAll(_agents.Select(a => a.BookAsync(firstId, count, broadcast: false)));
        const int Stride = 7919; // prime: visits every device before any twice, spread over the brokers and agents
        var start = Stopwatch.GetTimestamp();
        long step = 0;
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)rate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due);
            }

            int device;
            do
            {
                device = (int)(step++ * Stride % Devices);
            }
            while (_missing.Contains(device) && _missing.Count < Devices);

            await publisher.ToUserAsync(firstId + i, Targets.SitukTarget.UserOf(device), CancellationToken.None);
        }

        await WaitReceivedAsync(count);
        var reports = await Task.WhenAll(_agents.Select(a => a.ReportAsync()));
        var delays = new LongHistogram(600_000_000, 3);
        foreach (var pair in reports.SelectMany(r => r.Histogram))
        {
            delays.RecordValueWithCount(pair[0], pair[1]);
        }

        return (delays, count, reports.Sum(r => r.Received.Sum(n => (long)n)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
    }

    private async Task WaitReceivedAsync(long expected)
    {
        var until = Stopwatch.GetTimestamp() + (long)(DrainDeadline.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            var counts = await Task.WhenAll(_agents.Select(a => a.CountAsync()));
            if (counts.Sum(c => c.Received) >= expected)
            {
                return;
            }

            await Task.Delay(20);
        }
    }
}

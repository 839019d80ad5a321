using Situk.Contracts;

namespace Situk.Broker.Admin;

/// <summary>The cluster's <c>GET /admin/stats</c>: the sum over the brokers that answered, with their rows (by node name) and the brokers missing.</summary>
internal static class ClusterStats
{
    public static BrokerStats Total(IReadOnlyCollection<BrokerStats> rows, string[] missing) => new(
        rows.Sum(r => r.Connections),
        rows.Sum(r => r.Users),
        rows.Sum(r => r.FramesSent),
        rows.Sum(r => r.Acks),
        rows.Sum(r => r.Drops),

        // Percentiles of different brokers do not add up; the highest is a bound the cluster stays under.
        new LatencyPercentiles(
            rows.Max(r => r.PublishToAckMs.P50),
            rows.Max(r => r.PublishToAckMs.P90),
            rows.Max(r => r.PublishToAckMs.P99)),
        rows.Sum(r => r.Sheds),
        Node: null,
        Brokers: [.. rows.OrderBy(r => r.Node, StringComparer.Ordinal)],
        Missing: missing);
}

using Microsoft.Extensions.Logging;

namespace Situk.Broker.Cluster;

/// <summary>Rebalancing log lines (event ids 110–119).</summary>
internal static partial class RebalancerLog
{
    [LoggerMessage(110, LogLevel.Information, "Rebalance: holding {Mine} sessions, the mean of {Brokers} brokers is {Mean:F1}; moving {Count} to the others with 1001")]
    public static partial void Shedding(ILogger logger, int mine, double mean, int brokers, int count);

    [LoggerMessage(111, LogLevel.Warning, "Rebalance: the check failed; trying again at the next interval")]
    public static partial void CheckFailed(ILogger logger, Exception reason);
}

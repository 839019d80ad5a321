namespace Situk.Broker.Cluster;

/// <summary>
/// How many sessions this broker should move away, from one gathered stats answer: none unless every expected broker
/// answered, there is another broker, and this one holds more than both <c>mean × Slack</c> and <c>mean + Minimum</c>;
/// then down to the mean (rounded up), never below it, at most <paramref name="cap"/> at a time.
/// </summary>
internal static class RebalancePlan
{
    public static int Excess(int mine, IReadOnlyList<int> everyBroker, int missing, RebalanceOptions options, int cap)
    {
        if (missing > 0 || everyBroker.Count < 2)
        {
            return 0;
        }

        var mean = everyBroker.Sum(n => (long)n) / (double)everyBroker.Count;
        if (mine <= mean * options.Slack || mine <= mean + options.Minimum)
        {
            return 0;
        }

        return (int)Math.Min(cap, mine - (long)Math.Ceiling(mean));
    }
}

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

    /// <summary>
    /// What to shed now, given the excess of the previous check and of this one: nothing unless both saw one, and
    /// then no more than the smaller. An excess seen once is usually a moment, not a pile: devices connecting in
    /// parallel reach the brokers a little out of step, and a snapshot mid-ramp can show one broker ahead.
    /// Devices piled on one broker by a restart are still there one interval later.
    /// </summary>
    public static int Confirmed(int previousExcess, int excessNow) => Math.Min(previousExcess, excessNow);
}

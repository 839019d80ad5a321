using Situk.Broker.Cluster;

namespace Situk.Tests.Cluster;

/// <summary>How many sessions a broker sheds, from the cluster's counts: the rules docs/cluster.md ("Rebalancing") states.</summary>
public sealed class RebalancePlanTests
{
    private static readonly RebalanceOptions Defaults = new();

    [Test]
    [Description("300 / 0 / 0: the full broker sheds down to the mean (100), no further; capped per check.")]
    public void An_overfull_broker_sheds_down_to_the_mean_and_no_further()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RebalancePlan.Excess(300, [300, 0, 0], missing: 0, Defaults, cap: 1000), Is.EqualTo(200));
            Assert.That(RebalancePlan.Excess(300, [300, 0, 0], missing: 0, Defaults, cap: 50), Is.EqualTo(50));
            Assert.That(RebalancePlan.Excess(101, [101, 100, 100], missing: 0, Defaults, cap: 1000), Is.Zero, "within the slack");
            Assert.That(RebalancePlan.Excess(0, [300, 0, 0], missing: 0, Defaults, cap: 1000), Is.Zero, "an empty broker sheds nothing");
        });
    }

    [Test]
    [Description("Both bounds hold: 1.25 × the mean and the mean + Minimum (20), so a small cluster does not churn over a few devices.")]
    public void It_sheds_only_past_both_the_slack_and_the_minimum()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RebalancePlan.Excess(10, [10, 0], missing: 0, Defaults, cap: 1000), Is.Zero, "mean 5: 10 is past 1.25 × 5 but not past 5 + 20");
            Assert.That(RebalancePlan.Excess(122, [122, 78, 100], missing: 0, Defaults, cap: 1000), Is.Zero, "mean 100: 122 is past 120 but not past 125");
            Assert.That(RebalancePlan.Excess(126, [126, 74, 100], missing: 0, Defaults, cap: 1000), Is.EqualTo(26));
        });
    }

    [Test]
    [Description("Never while a broker is missing (its count is unknown), never when it is the only broker.")]
    public void Nothing_is_shed_with_a_broker_missing_or_alone()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RebalancePlan.Excess(300, [300, 0], missing: 1, Defaults, cap: 1000), Is.Zero);
            Assert.That(RebalancePlan.Excess(300, [300], missing: 0, Defaults, cap: 1000), Is.Zero);
        });
    }

    [Test]
    [Description("Slack under 1, a negative minimum, no rate or an interval under 100 ms are refused, naming the key.")]
    public void Invalid_options_are_refused_naming_the_key()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new RebalanceOptions { Slack = 0.9 }.Problem(), Does.Contain("Situk:Cluster:Rebalance:Slack"));
            Assert.That(new RebalanceOptions { Minimum = -1 }.Problem(), Does.Contain("Situk:Cluster:Rebalance:Minimum"));
            Assert.That(new RebalanceOptions { PerSecond = 0 }.Problem(), Does.Contain("Situk:Cluster:Rebalance:PerSecond"));
            Assert.That(new RebalanceOptions { Interval = TimeSpan.Zero }.Problem(), Does.Contain("Situk:Cluster:Rebalance:Interval"));
            Assert.That(Defaults.Problem(), Is.Null);
        });
    }

    [Test]
    [Description("An excess seen at one check is not acted on (a snapshot mid-ramp shows one broker ahead for a moment); seen at two checks in a row, the smaller of the two is shed.")]
    public void Only_an_excess_seen_at_two_checks_in_a_row_is_shed()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RebalancePlan.Confirmed(previousExcess: 0, excessNow: 200), Is.Zero, "first sight");
            Assert.That(RebalancePlan.Confirmed(previousExcess: 200, excessNow: 0), Is.Zero, "gone by the next check");
            Assert.That(RebalancePlan.Confirmed(previousExcess: 200, excessNow: 150), Is.EqualTo(150));
            Assert.That(RebalancePlan.Confirmed(previousExcess: 40, excessNow: 200), Is.EqualTo(40));
        });
    }
}

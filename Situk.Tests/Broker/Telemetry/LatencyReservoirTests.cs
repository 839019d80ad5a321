using Situk.Broker.Telemetry;

namespace Situk.Tests.Broker.Telemetry;

public sealed class LatencyReservoirTests
{
    [Test]
    public void Percentiles_are_zero_before_anything_is_recorded()
    {
        Assert.That(new LatencyReservoir().Percentiles(50, 99), Is.EqualTo(new double[] { 0, 0 }));
    }

    [Test]
    public void Percentiles_are_nearest_rank_over_what_is_held()
    {
        var reservoir = new LatencyReservoir();
        for (var i = 1; i <= 100; i++)
        {
            reservoir.Record(i);
        }

        Assert.That(reservoir.Percentiles(50, 90, 99), Is.EqualTo(new double[] { 50, 90, 99 }));
    }

    [Test]
    public void Only_the_latest_samples_are_kept()
    {
        var reservoir = new LatencyReservoir(capacity: 10);
        for (var i = 1; i <= 1000; i++)
        {
            reservoir.Record(i);
        }

        Assert.That(reservoir.Percentiles(0, 100), Is.EqualTo(new double[] { 991, 1000 }));
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Situk.Broker.Internal;
using Situk.Broker.Options;
using Situk.Broker.Receipts;
using Situk.Broker.Sessions;
using Situk.Broker.Telemetry;
using Situk.Contracts;
using Situk.Tests.Support;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Situk.Tests.Broker.Receipts;

[Description("The broker's written records are evidence, not delivery state: every write of a stored notification is reported, and while no API takes them they are dropped and counted, never held without bound.")]
public sealed class WrittenBatcherTests
{
    private ServiceProvider _services = null!;

    [SetUp]
    public void SetUp() => _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [TearDown]
    public void TearDown() => _services.Dispose();

    [Test]
    public void Every_write_of_a_stored_notification_is_reported_timed_or_not()
    {
        var reported = new List<long>();
        var times = new DeliveryTimes(TimeProvider.System, (id, _) => reported.Add(id));
        times.Queued(5, 100);
        times.Written(5);
        times.Written(6); // never timed here (past the bound, say): still written, still reported
        times.Written(-2); // an ephemeral admin publish: nothing stored to attach it to
        Assert.Multiple(() =>
        {
            Assert.That(reported, Is.EqualTo(new long[] { 5, 6 }));
            Assert.That(times.Acked(5, DateTimeOffset.UtcNow)?.WrittenAt, Is.Not.Null, "the ack's receipt still carries the write time");
        });
    }

    [Test]
    public void Past_its_backlog_writes_are_dropped_and_counted()
    {
        var batcher = Create(); // not started: nothing drains it
        var add = batcher.For("s1", "7", DeviceClasses.Web);
        for (var i = 0; i < WrittenBatcher.Backlog + 7; i++)
        {
            add(i + 1, DateTimeOffset.UnixEpoch);
        }

        Assert.That(batcher.Dropped, Is.EqualTo(7));
    }

    [Test]
    public async Task With_no_api_link_a_batch_is_dropped_and_counted()
    {
        using var batcher = Create();
        await batcher.StartAsync(CancellationToken.None);
        try
        {
            var add = batcher.For("s1", "7", DeviceClasses.Web);
            for (var i = 1; i <= 10; i++)
            {
                add(i, DateTimeOffset.UnixEpoch);
            }

            // Flushed every 5 ms; the bound only catches records that are held instead.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (batcher.Dropped < 10)
            {
                await Task.Delay(10, bound.Token);
            }

            Assert.That(batcher.Dropped, Is.EqualTo(10));
        }
        finally
        {
            await batcher.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task Dropped_records_are_exported_with_the_broker_s_metrics()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        using var export = new PrometheusExport(new BrokerMetrics(meters));
        var batcher = Create();
        var add = batcher.For("s1", "7", DeviceClasses.Web);
        for (var i = 0; i < WrittenBatcher.Backlog + 3; i++)
        {
            add(i + 1, DateTimeOffset.UnixEpoch);
        }

        using var text = new MemoryStream();
        await export.WriteAsync(text, CancellationToken.None);
        var samples = PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(text.ToArray()));
        Assert.That(PrometheusText.Sum(samples, "situk_broker_written_dropped"), Is.EqualTo(3));
    }

    private WrittenBatcher Create() => new(
        MsOptions.Create(new BrokerOptions()), new LinkRegistry(), TimeProvider.System, _services.GetRequiredService<IMeterFactory>());
}

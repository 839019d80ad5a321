using Prometheus;

namespace Situk.Broker.Telemetry;

/// <summary>
/// A private prometheus-net registry fed by the meter adapter with this broker's instruments only (so
/// two brokers in one test process never mix), exported in the Prometheus text format at <c>/metrics</c>.
/// Instrument <c>x</c> of meter <c>Situk.Broker</c> becomes <c>situk_broker_x</c>; the adapter exports
/// .NET counters as Prometheus gauges by design (a recreated instrument must not look like a reset).
/// Every series carries <c>node="…"</c>, this broker's <c>Situk:Broker:NodeName</c>, so one Prometheus can scrape a cluster.
/// </summary>
internal sealed class PrometheusExport : IDisposable
{
    private readonly IDisposable _adapter;

    private static int _defaultsSuppressed;

    /// <param name="node">This broker's name, the <c>node</c> label; the host always supplies it (only a test of the export alone leaves it out).</param>
    public PrometheusExport(BrokerMetrics metrics, Cluster.BrokerNode? node = null)
    {
        // prometheus-net would otherwise also copy every meter in the process (ours included, on every
        // frame) into its global registry, which nothing here scrapes.
        if (Interlocked.Exchange(ref _defaultsSuppressed, 1) == 0)
        {
            Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true });
        }

        Registry = Metrics.NewCustomRegistry();
        if (node is not null)
        {
            Registry.SetStaticLabels(new Dictionary<string, string>(StringComparer.Ordinal) { ["node"] = node.Name });
        }
        var factory = Metrics.WithCustomRegistry(Registry);
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = factory, // its default is the global registry's factory
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, metrics.Meter),
        });
        var publishToAck = factory.CreateHistogram(
            "situk_broker_publish_to_ack", "From publish to the device's ack, in milliseconds.",
            new HistogramConfiguration { Buckets = PublishToAckBuckets });
        metrics.ExportPublishToAck(publishToAck.Observe);
    }

    /// <summary>The publish-to-ack histogram's upper bounds (ms): from a socket on the same LAN to a phone on a slow link.</summary>
    public static readonly double[] PublishToAckBuckets = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    public CollectorRegistry Registry { get; }

    public Task WriteAsync(Stream stream, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(stream, cancellationToken);

    public void Dispose() => _adapter.Dispose();
}

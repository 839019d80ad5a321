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
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Metrics.WithCustomRegistry(Registry), // its default is the global registry's factory
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, metrics.Meter),
        });
    }

    public CollectorRegistry Registry { get; }

    public Task WriteAsync(Stream stream, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(stream, cancellationToken);

    public void Dispose() => _adapter.Dispose();
}

using System.Diagnostics.Metrics;
using Situk.Contracts;

namespace Situk.Broker.Telemetry;

/// <summary>
/// The broker's instruments on the <c>Situk.Broker</c> meter (exported at <c>/metrics</c> by
/// prometheus-net's meter adapter), plus the running totals <c>GET /admin/stats</c> reports.
/// Gauges are observed from the registry itself, so they can never drift from it. The counters of what happens
/// once per frame or per ack (frames sent, acks, drops, sheds) are observed from those totals, and the
/// publish-to-ack histogram is prometheus-net's own (<see cref="PrometheusExport"/>): a measurement through the
/// adapter costs a lock and a label lease, about a microsecond on every delivery and every ack.
/// </summary>
internal sealed class BrokerMetrics
{
    public const string MeterName = "Situk.Broker";

    private readonly Counter<long> _closes;
    private readonly Counter<long> _upgrades;
    private readonly LatencyReservoir _reservoir = new();
    private Action<double>? _publishToAck;
    private long _framesSentTotal;
    private long _acksTotal;
    private long _dropsTotal;
    private long _shedsTotal;

    public BrokerMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        Meter.CreateObservableCounter("frames_sent", () => Interlocked.Read(ref _framesSentTotal), description: "Frames written to device sockets.");
        Meter.CreateObservableCounter("acks", () => Interlocked.Read(ref _acksTotal), description: "Notification ids acknowledged by devices.");
        Meter.CreateObservableCounter("drops", () => Interlocked.Read(ref _dropsTotal), description: "Sessions closed with 1013 because their queue was full.");
        Meter.CreateObservableCounter("sheds", () => Interlocked.Read(ref _shedsTotal), description: "Normal-priority notification frames not sent because their session's queue was full.");
        _closes = Meter.CreateCounter<long>("closes", description: "Device sessions ended, by close code (a code the protocol does not define is \"other\").");
        _upgrades = Meter.CreateCounter<long>("upgrades", description: "Device sockets opened, by path: direct (answered on the raw connection) or http (through the HTTP pipeline).");

        // The process's managed heap as the last full (gen 2) collection left it: live objects and
        // fragmentation, not the garbage that short sessions leave in gen 2 between full collections.
        // It grows when something leaks; a soak run watches it beside RSS.
        Meter.CreateObservableGauge("gc_heap_bytes", static () => HeapAfterLastFullCollection(), unit: "By",
            description: "Managed heap size after the last full (gen 2) garbage collection, in bytes.");
        Meter.CreateObservableCounter("gc_full_collections", static () => (long)GC.CollectionCount(2),
            description: "Full (gen 2) garbage collections since the process started.");
    }

    public Meter Meter { get; }

    /// <summary>Adds the connections and users gauges, read from <paramref name="connections"/> and <paramref name="users"/>.</summary>
    public void ObserveSessions(Func<int> connections, Func<int> users)
    {
        Meter.CreateObservableGauge("connections", connections, description: "Open device sessions.");
        Meter.CreateObservableGauge("users", users, description: "Users with at least one open session.");
    }

    public void FrameSent()
    {
        Interlocked.Increment(ref _framesSentTotal);
    }

    public void Acked(int count)
    {
        Interlocked.Add(ref _acksTotal, count);
    }

    public void Dropped()
    {
        Interlocked.Increment(ref _dropsTotal);
    }

    public void Shed()
    {
        Interlocked.Increment(ref _shedsTotal);
    }

    public void Upgraded(string path) => _upgrades.Add(1, new KeyValuePair<string, object?>("path", path));

    /// <summary>Counts a closed session under a bounded label: a device's own close code never becomes a new series.</summary>
    public void Closed(int code) => _closes.Add(1, new KeyValuePair<string, object?>("code", CloseCodeLabels.For(code)));

    public void PublishToAck(TimeSpan elapsed)
    {
        _reservoir.Record(elapsed.TotalMilliseconds);
        _publishToAck?.Invoke(elapsed.TotalMilliseconds);
    }

    /// <summary>Where each publish-to-ack time (ms) is also recorded: the export's histogram, set once at start.</summary>
    public void ExportPublishToAck(Action<double> observe) => _publishToAck = observe;

    private static long HeapAfterLastFullCollection()
    {
        var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var background = GC.GetGCMemoryInfo(GCKind.Background);
        return (blocking.Index >= background.Index ? blocking : background).HeapSizeBytes;
    }

    public BrokerStats Snapshot(int connections, int users)
    {
        var p = _reservoir.Percentiles(50, 90, 99);
        return new BrokerStats(
            connections,
            users,
            Interlocked.Read(ref _framesSentTotal),
            Interlocked.Read(ref _acksTotal),
            Interlocked.Read(ref _dropsTotal),
            new LatencyPercentiles(p[0], p[1], p[2]),
            Interlocked.Read(ref _shedsTotal));
    }
}

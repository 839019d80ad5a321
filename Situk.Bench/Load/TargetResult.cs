namespace Situk.Bench.Load;

/// <summary>Everything one target's run measured.</summary>
internal sealed record TargetResult(
    string Target,
    int Asked,
    int Connected,
    IReadOnlyDictionary<string, int> Refused,
    IReadOnlyDictionary<string, int> Closed,
    double ConnectSeconds,
    long RssIdle,
    long RssConnected,
    long RssPeak,
    DelayBook Probes,
    DelayBook Pattern,
    bool Survived,
    int HeldAtEnd)
{
    /// <summary>64 B broadcasts timed to the last device while devices did not ack (<c>--silent-probes</c>); null without them.</summary>
    public DelayBook? SilentProbes { get; init; }

    /// <summary>Server CPU (utime + stime) per broadcast over the silent probes, the probes and the pattern, ms.</summary>
    public double CpuPerSilentProbeMs { get; init; } = double.NaN;

    public double CpuPerProbeMs { get; init; } = double.NaN;

    public double CpuPerPatternMs { get; init; } = double.NaN;

    /// <summary>The very first broadcast after the process started (the first probe of the first probe phase), to the last device, ms.</summary>
    public double FirstBroadcastMs { get; init; } = double.NaN;

    /// <summary>The one-to-one HTTP publishes (<c>--publish</c>); null without them.</summary>
    public OneToOneBook? Publish { get; init; }

    /// <summary>Server CPU per one-to-one publish, ms.</summary>
    public double CpuPerPublishMs { get; init; } = double.NaN;

    public double RssPerConnection => Connected > 0 ? (RssConnected - RssIdle) / (double)Connected : double.NaN;

    /// <summary>Median over the probes of the time for the last device to receive a 64 B broadcast.</summary>
    public double ProbeMedianMs => MedianLastDeviceMs(Probes);

    /// <summary>The same over the silent probes (devices not acking).</summary>
    public double SilentProbeMedianMs => SilentProbes is null ? double.NaN : MedianLastDeviceMs(SilentProbes);

    /// <summary>The median of the probes after the first (the steady state a first broadcast after start is set against).</summary>
    public double LaterProbesMedianMs => Report.MedianRange.Median(LastDeviceMs(Probes).Skip(1));

    /// <summary>From the process start until the server answered its health check, and until every device was connected (or the connect deadline), s.</summary>
    public double HealthySeconds { get; init; } = double.NaN;

    public double ServedSeconds { get; init; } = double.NaN;

    /// <summary>Deliveries owed and not received in every phase (silent probes, probes, pattern, one-to-one; a failed publish is one not received).</summary>
    public long Losses => Lost(SilentProbes) + Lost(Probes) + Lost(Pattern) + (Publish is { } p ? p.Sent - p.Received : 0);

    private static long Lost(DelayBook? book) => book is null ? 0 : book.Expected - book.Received;

    private static IEnumerable<double> LastDeviceMs(DelayBook book) => Enumerable.Range(0, book.Published).Select(book.LastDeviceMs);

    private static double MedianLastDeviceMs(DelayBook book) => Report.MedianRange.Median(LastDeviceMs(book));
}

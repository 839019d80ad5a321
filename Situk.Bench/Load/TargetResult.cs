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

    private static double MedianLastDeviceMs(DelayBook book)
    {
        var values = Enumerable.Range(0, book.Published).Select(book.LastDeviceMs).Where(v => !double.IsNaN(v)).Order().ToArray();
        return values.Length == 0 ? double.NaN : values[values.Length / 2];
    }
}

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
    public double RssPerConnection => Connected > 0 ? (RssConnected - RssIdle) / (double)Connected : double.NaN;

    /// <summary>Median over the probes of the time for the last device to receive a 64 B broadcast.</summary>
    public double ProbeMedianMs
    {
        get
        {
            var values = Enumerable.Range(0, Probes.Published).Select(Probes.LastDeviceMs).Where(v => !double.IsNaN(v)).Order().ToArray();
            return values.Length == 0 ? double.NaN : values[values.Length / 2];
        }
    }
}

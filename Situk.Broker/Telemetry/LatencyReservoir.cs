namespace Situk.Broker.Telemetry;

/// <summary>
/// The last <c>capacity</c> publish-to-ack latencies (a ring, so memory is bounded and old traffic ages
/// out), and their percentiles on demand. Recording is a short lock; reading sorts a copy.
/// </summary>
internal sealed class LatencyReservoir(int capacity = 4096)
{
    private readonly double[] _samples = new double[capacity];
    private readonly Lock _gate = new();
    private long _recorded;

    public void Record(double milliseconds)
    {
        lock (_gate)
        {
            _samples[_recorded % _samples.Length] = milliseconds;
            _recorded++;
        }
    }

    /// <summary>Nearest-rank percentiles (0–100) of what is held; zeros when nothing was recorded.</summary>
    public double[] Percentiles(params double[] ranks)
    {
        double[] copy;
        lock (_gate)
        {
            copy = _samples[..(int)Math.Min(_recorded, _samples.Length)];
        }

        if (copy.Length == 0)
        {
            return new double[ranks.Length];
        }

        Array.Sort(copy);
        return [.. ranks.Select(r => copy[Math.Clamp((int)Math.Ceiling(r / 100 * copy.Length) - 1, 0, copy.Length - 1)])];
    }
}

namespace Situk.Client;

/// <summary>
/// Exponential back-off with jitter: attempt n waits between half and all of min·2ⁿ (capped), so a
/// broker restart is not met by every device at the same instant.
/// </summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan minimum, TimeSpan maximum, Random random)
    {
        var ceiling = Math.Min(maximum.TotalMilliseconds, minimum.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (random.NextDouble() * ceiling / 2));
    }
}

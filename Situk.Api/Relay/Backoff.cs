namespace Situk.Api.Relay;

/// <summary>
/// Back-off of an outbox row after a failed attempt: exponential in the attempts made, capped, with
/// "equal jitter" (half fixed, half random) so rows that failed together do not retry together.
/// </summary>
internal static class Backoff
{
    public static TimeSpan ForAttempt(int attempts, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var half = ceiling / 2;
        return TimeSpan.FromMilliseconds(half + (Random.Shared.NextDouble() * half));
    }
}

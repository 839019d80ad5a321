using Situk.Contracts;

namespace Situk.Broker.Sessions;

/// <summary>
/// Closes a session with 4001 when its token expires. A token frame for the same user moves the deadline to
/// the new token's expiry (<see cref="Renew"/>), so a device that refreshes in time is never closed for it.
/// Times come from <see cref="TimeProvider"/>, so tests can move them.
/// </summary>
internal sealed class TokenExpiry : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;

    public TokenExpiry(Session session, TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(
            static s => ((Session)s!).Close(CloseCodes.TokenExpired, "token expired"),
            session,
            Until(session.ExpiresAt),
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Closes at <paramref name="expiresAt"/> instead (at once if it has passed).</summary>
    public void Renew(DateTimeOffset expiresAt) => _timer.Change(Until(expiresAt), Timeout.InfiniteTimeSpan);

    public void Dispose() => _timer.Dispose();

    private TimeSpan Until(DateTimeOffset expiresAt)
    {
        var left = expiresAt - _time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}

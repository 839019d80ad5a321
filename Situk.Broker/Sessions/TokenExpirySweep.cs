using Situk.Contracts;

namespace Situk.Broker.Sessions;

/// <summary>
/// Closes every session whose token has expired with 4001, from one sweep a second over the registry instead of a
/// timer per session: an idle device then holds no timer of its own (about 200 B each, the broker's memory per
/// connection). A token frame for the same user moves the session's expiry (<see cref="Session.Renew"/>), which the
/// next sweep reads, so a device that refreshes in time is never closed for it. A session is closed at most
/// <see cref="Every"/> after its token expired. Times come from <see cref="TimeProvider"/>, so tests can move them.
/// </summary>
internal sealed class TokenExpirySweep(SessionRegistry registry, TimeProvider time) : BackgroundService
{
    /// <summary>How often the registry is swept, and so how late after its expiry a session may be closed.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                CloseExpired(time.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the shutdown closes every session with 1001.
        }
    }

    /// <summary>Asks every session whose token expired at or before <paramref name="now"/> to close with 4001; returns how many.</summary>
    internal int CloseExpired(DateTimeOffset now)
    {
        var closed = 0;
        foreach (var session in registry.All)
        {
            if (session.ExpiresAt <= now && session.Close(CloseCodes.TokenExpired, "token expired"))
            {
                closed++;
            }
        }

        return closed;
    }
}

namespace Situk.Api.Auth;

/// <summary>Sign-in log lines: user ids and sign-in ids only, never a token.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 560, Level = LogLevel.Warning, Message = "Refresh token of sign-in {SignInId} (user {UserId}) presented again: the sign-in is revoked")]
    public static partial void RefreshReused(ILogger logger, long userId, Guid signInId);

    [LoggerMessage(EventId = 561, Level = LogLevel.Warning, Message = "Sockets of sign-in {SignInId} (user {UserId}) not closed, the broker is unreachable: {Error}")]
    public static partial void KickFailed(ILogger logger, long userId, Guid signInId, string error);

    [LoggerMessage(EventId = 562, Level = LogLevel.Information, Message = "Refresh token sweeper deleted {Count} expired token(s)")]
    public static partial void Swept(ILogger logger, int count);

    [LoggerMessage(EventId = 563, Level = LogLevel.Warning, Message = "Refresh token sweep failed, will retry next interval: {Error}")]
    public static partial void SweepFailed(ILogger logger, string error);
}

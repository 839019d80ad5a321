namespace Situk.Api.Idempotency;

public sealed partial class IdempotencySweeper
{
    [LoggerMessage(EventId = 540, Level = LogLevel.Information, Message = "Idempotency sweeper deleted {Count} expired key(s)")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 541, Level = LogLevel.Warning, Message = "Idempotency sweep failed, will retry next interval: {Error}")]
    private static partial void LogSweepFailed(ILogger logger, string error);
}

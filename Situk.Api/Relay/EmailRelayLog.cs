namespace Situk.Api.Relay;

internal sealed partial class EmailRelay
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Email relay: {Count} message(s) sent")]
    private static partial void LogBatchSent(ILogger logger, int count);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Email {OutboxId} not sent (attempt {Attempt}), retrying in {Delay}: {Reason}")]
    private static partial void LogWillRetry(ILogger logger, long outboxId, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "Email {OutboxId} refused permanently, marked failed: {Reason}")]
    private static partial void LogPermanentFailure(ILogger logger, long outboxId, string reason);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Error, Message = "Email {OutboxId} not sent and marked failed: {Reason}")]
    private static partial void LogTlsUnavailable(ILogger logger, long outboxId, string reason);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Email relay: database unavailable, will retry: {Reason}")]
    private static partial void LogDatabaseFault(ILogger logger, string reason);
}

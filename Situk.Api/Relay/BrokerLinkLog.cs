namespace Situk.Api.Relay;

// Never log the internal key: only the URL and exception messages, which do not carry headers.
internal sealed partial class BrokerLink
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Broker link up: {Url}")]
    private static partial void LogLinkUp(ILogger logger, Uri url);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Broker link down: {Reason}")]
    private static partial void LogLinkDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Broker link attempt {Attempt} failed, next in {Delay}: {Reason}")]
    private static partial void LogLinkRetry(ILogger logger, int attempt, TimeSpan delay, string? reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Broker link circuit open for {Duration}")]
    private static partial void LogBreakerOpened(ILogger logger, TimeSpan duration);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Broker link: ignored a frame: {Reason}")]
    private static partial void LogBadFrame(ILogger logger, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "Broker link: {Count} user(s) online")]
    private static partial void LogOnlineUsers(ILogger logger, int count);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Broker link: {Count} receipt(s) arrived past the granted credit; reading waits for the receipt writer")]
    private static partial void LogReceiptsOverCredit(ILogger logger, int count);
}

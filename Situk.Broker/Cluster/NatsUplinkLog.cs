using Microsoft.Extensions.Logging;

namespace Situk.Broker.Cluster;

/// <summary>NATS cluster log lines (event ids 90–99).</summary>
internal static partial class NatsUplinkLog
{
    [LoggerMessage(90, LogLevel.Information, "Cluster: connected to NATS at {Url}")]
    public static partial void Connected(ILogger logger, string url);

    [LoggerMessage(91, LogLevel.Warning, "Cluster: no API instance took a receipts batch ({Bytes} bytes), attempt {Attempt}; retrying in {Delay}: {Reason}")]
    public static partial void ReceiptsRetry(ILogger logger, int bytes, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(92, LogLevel.Warning, "Cluster: could not follow user {UserId} on NATS, will retry: {Reason}")]
    public static partial void InterestFailed(ILogger logger, string userId, string reason);

    [LoggerMessage(93, LogLevel.Warning, "Cluster: a message to the API was not sent on {Subject}: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string subject, string reason);

    [LoggerMessage(94, LogLevel.Warning, "Cluster: no API instance took the announcement of {Users} users online, will retry: {Reason}")]
    public static partial void AnnounceFailed(ILogger logger, int users, string reason);

    [LoggerMessage(95, LogLevel.Error, "Cluster: a follow round of {Users} users failed and is queued again")]
    public static partial void FollowRoundFailed(ILogger logger, int users, Exception reason);

    [LoggerMessage(96, LogLevel.Warning, "Cluster: NATS connection: {Error}")]
    public static partial void ConnectionProblem(ILogger logger, string error);

    [LoggerMessage(97, LogLevel.Error, "Cluster: a role or broadcast message (notification {NotificationId}) could not be delivered; the next goes on")]
    public static partial void FanoutFailed(ILogger logger, long notificationId, Exception reason);
}

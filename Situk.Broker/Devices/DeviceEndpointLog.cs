using System.Net;
using Microsoft.Extensions.Logging;

namespace Situk.Broker.Devices;

/// <summary>Device socket log lines. None of them carries a token: only user ids, session ids and reasons.</summary>
internal static partial class DeviceEndpointLog
{
    [LoggerMessage(1, LogLevel.Information, "Device refused with {Status}: {Reason} (from {RemoteAddress})")]
    public static partial void Refused(ILogger logger, int status, string reason, IPAddress? remoteAddress);

    [LoggerMessage(2, LogLevel.Information, "Session {SessionId} opened for user {UserId} ({Role}, {DeviceClass}) from {RemoteAddress}")]
    public static partial void Opened(ILogger logger, string sessionId, string userId, string role, string deviceClass, IPAddress? remoteAddress);

    [LoggerMessage(3, LogLevel.Information, "Session {SessionId} of user {UserId} closed with {CloseCode}: {CloseReason} after {Duration}, {FramesSent} frames sent, {Acks} acks")]
    public static partial void Closed(ILogger logger, string sessionId, string userId, int closeCode, string closeReason, TimeSpan duration, long framesSent, long acks);

    [LoggerMessage(4, LogLevel.Information, "Session {SessionId} of user {UserId} replaced by {NewSessionId}: more than {Max} sessions")]
    public static partial void Replaced(ILogger logger, string sessionId, string userId, string newSessionId, int max);

    [LoggerMessage(5, LogLevel.Warning, "Session {SessionId} of user {UserId} closed with 1008: more inbound frames than {PerSecond} a second after a burst of {Burst}")]
    public static partial void InboundRate(ILogger logger, string sessionId, string userId, int perSecond, int burst);

    [LoggerMessage(6, LogLevel.Information, "Session {SessionId} of user {UserId} sent a token that is not valid ({Reason}); it keeps its current token")]
    public static partial void TokenRefused(ILogger logger, string sessionId, string userId, string reason);

    [LoggerMessage(7, LogLevel.Warning, "Session {SessionId} of user {UserId} closed with 1008: it sent a token for user {OtherUserId} or another role")]
    public static partial void TokenForAnotherUser(ILogger logger, string sessionId, string userId, string otherUserId);

    [LoggerMessage(8, LogLevel.Information, "Closed {Count} session(s) of user {UserId} opened under sign-in {SignInId}: signed out")]
    public static partial void SignedOut(ILogger logger, string userId, string signInId, int count);
}
